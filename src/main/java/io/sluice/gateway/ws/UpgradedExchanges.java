package io.sluice.gateway.ws;

import io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper;
import io.vertx.core.http.HttpServerRequest;
import java.lang.reflect.Method;
import org.jboss.logging.Logger;

/**
 * Tells Quarkus' HTTP layer that an upgraded request is over. Quarkus counts every HTTP request until
 * its response ends or its connection closes, and at shutdown waits for the count to reach zero (at most
 * {@code quarkus.shutdown.timeout}). The response of a request upgraded to a WebSocket never ends and its
 * close is not reported, so each WebSocket ever accepted would make every shutdown wait the whole
 * timeout. WebSocket connections have their own drain ({@link WebSocketRoutes}); for the HTTP layer the
 * exchange ends with the handshake. Quarkus offers no public call for this, so its own completion
 * callback is invoked reflectively; should that ever fail, shutdown only waits the timeout again.
 */
final class UpgradedExchanges {
    private static final Logger LOG = Logger.getLogger(UpgradedExchanges.class);
    private static final Method DONE = find();

    private UpgradedExchanges() {
    }

    private static Method find() {
        try {
            Method m = QuarkusRequestWrapper.class.getDeclaredMethod("done");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("cannot end upgraded HTTP exchanges early (%s): shutdown waits quarkus.shutdown.timeout after WebSockets", e);
            return null;
        }
    }

    /** Ends the HTTP exchange of a request whose connection is now a WebSocket. */
    static void ended(HttpServerRequest request) {
        if (DONE == null) {
            return;
        }
        QuarkusRequestWrapper wrapper = QuarkusRequestWrapper.get(request);
        if (wrapper == null) {
            return;
        }
        try {
            DONE.invoke(wrapper);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("could not end an upgraded HTTP exchange: %s", e);
        }
    }
}
