package io.sluice.flags;

/** The one seam the request path asks, per stream, which features apply. */
public interface FeatureDecisions {

    /**
     * @param rolloutKey the token subject, else the {@code x-sluice-client} header, else the stream id
     */
    Features decide(String rolloutKey);
}
