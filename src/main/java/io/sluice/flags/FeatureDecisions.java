package io.sluice.flags;

/** The one seam the request path asks, per stream, which features apply. */
public interface FeatureDecisions {

    /**
     * @param rolloutKey the token subject, else the token's fingerprint; only with authentication off the
     *     {@code x-sluice-client} header (a stream with none of these: {@link #decide(long)})
     */
    Features decide(String rolloutKey);

    /**
     * What applies to a stream that has no rollout key of its own, keyed by its id: the same decision as
     * {@code decide(Long.toHexString(streamId))}, made for a key no later request repeats.
     */
    default Features decide(long streamId) {
        return decide(Long.toHexString(streamId));
    }
}
