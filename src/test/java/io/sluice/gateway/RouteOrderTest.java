package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The routes a Hrana request passes on its way to its own: none of another method whose path it matches, which
 * Vert.x would note at every request (it gathers such routes' methods for a 405), and none matched by a regular
 * expression, which would run on every request.
 */
@QuarkusTest
class RouteOrderTest {
    @Inject
    Routes routes;

    @ParameterizedTest
    @ValueSource(strings = {"/v2/pipeline", "/v3/pipeline", "/v3/cursor", "/v3-protobuf/pipeline", "/v3-protobuf/cursor"})
    void shouldReachAHranaPostRouteWithoutPassingARouteOfAnotherMethod(String path) {
        List<Route> all = routes.router.getRoutes();
        int own = ownRoute(all, path);

        List<String> passed = all.subList(0, own).stream()
                .filter(r -> !allows(r, HttpMethod.POST))
                .filter(r -> r.getPath() == null ? !r.isRegexPath() : path.startsWith(r.getPath()))
                .map(r -> r.methods() + " " + (r.getPath() == null ? "(any path)" : r.getPath()))
                .toList();
        assertThat(passed).as("routes of another method a POST to %s passes", path).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/pipeline", "/v3/pipeline", "/v3/cursor", "/v3-protobuf/pipeline", "/v3-protobuf/cursor"})
    void shouldReachAHranaPostRouteWithoutRunningARegularExpression(String path) {
        List<Route> all = routes.router.getRoutes();
        int own = ownRoute(all, path);

        List<String> passed = all.subList(0, own).stream().filter(Route::isRegexPath).map(Route::getName).toList();
        assertThat(passed).as("regular-expression routes a POST to %s runs on its way to its own", path).isEmpty();
    }

    /** Where the POST route of {@code path} stands among the router's routes. */
    private static int ownRoute(List<Route> all, String path) {
        for (int i = 0; i < all.size(); i++) {
            if (path.equals(all.get(i).getPath()) && allows(all.get(i), HttpMethod.POST)) {
                return i;
            }
        }
        throw new AssertionError("no POST route of " + path);
    }

    private static boolean allows(Route route, HttpMethod method) {
        Set<HttpMethod> methods = route.methods();
        return methods == null || methods.isEmpty() || methods.contains(method);
    }

    /** The application's router, as the routes' own registrations receive it. */
    @Singleton
    static class Routes {
        volatile Router router;

        void capture(@Observes Router router) {
            this.router = router;
        }
    }
}
