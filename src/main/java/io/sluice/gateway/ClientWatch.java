package io.sluice.gateway;

import io.vertx.core.Handler;

/**
 * Follows one request's HTTP connection: when it closes before the answer is complete (client gone,
 * cursor abandoned), the stream the request holds is abandoned, which stops its running statement at
 * once and every later one, so that the request's worker closes the stream and frees its lease within
 * moments instead of when the statement ends. Registered on the I/O thread before the request reaches a
 * worker; runs there too, and never blocks (the cancel itself runs on the statement registry's threads).
 */
final class ClientWatch implements Handler<Void> {
    private volatile Stream stream;
    private volatile boolean gone;

    @Override
    public void handle(Void closed) {
        gone = true;
        Stream s = stream;
        if (s != null) {
            s.abandon();
        }
    }

    /** The worker holds {@code s} for this request; a client already gone abandons it at once. */
    void attach(Stream s) {
        stream = s;
        // attached first, then checked: a close racing with us sees the stream or we see the flag
        if (gone) {
            s.abandon();
        }
    }

    /** The request is answered: a close from now on concerns no statement of ours. */
    void detach() {
        stream = null;
    }
}
