package io.sluice.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * The OpenAPI document ({@code /q/openapi}) describes the admin API and is served on the data port, so it
 * takes the admin API's credentials: the same {@link AdminAuthFilter} rule decides, before the document's
 * own route runs.
 */
@ApplicationScoped
public class OpenApiGuard {
    private final AdminAuthFilter auth;
    private final ObjectMapper json;

    OpenApiGuard(AdminAuthFilter auth, ObjectMapper json) {
        this.auth = auth;
        this.json = json;
    }

    void register(@Observes Router router) {
        router.routeWithRegex("^/q/openapi(?:[./?].*)?$").order(-4).handler(ctx -> {
            Optional<Response> refused = auth.check(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), who -> { });
            if (refused.isEmpty()) {
                ctx.next();
                return;
            }
            String body;
            try {
                body = json.writeValueAsString(refused.get().getEntity());
            } catch (JsonProcessingException e) {
                body = "{\"status\":" + refused.get().getStatus() + "}";
            }
            ctx.response().setStatusCode(refused.get().getStatus())
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json").end(body);
        });
    }
}
