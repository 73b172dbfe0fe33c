package io.sluice.gateway;

/**
 * A stream about to open: its id and its policy, decided once when the request that opens it is admitted
 * (the breaker's fail-fast, the read fast path and the stream itself all use this one decision).
 *
 * @param id the stream's id (random: ids need not be secret, batons are signed, only unlikely to collide between replicas)
 * @param policy what applies to the stream, decided for the request's rollout key (else the stream id)
 */
record StreamPlan(long id, StreamPolicy policy) {
}
