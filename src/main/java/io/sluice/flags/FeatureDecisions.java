package io.sluice.flags;

/** The one seam the request path asks, per stream, which features apply. */
public interface FeatureDecisions {

    /**
     * @param rolloutKey the token subject, else the token's fingerprint; only with authentication off the
     *     {@code x-sluice-client} header; else the stream id
     */
    Features decide(String rolloutKey);
}
