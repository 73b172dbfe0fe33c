package io.sluice.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;

/**
 * The OpenAPI document of the admin API at {@code /q/openapi} on the data port, behind the admin API's
 * credentials (the same {@link AdminAuthFilter} rule decides).
 *
 * <p>The document is a file in the sources, generated from the admin resources' annotations by
 * {@code OpenApiDocumentTest} (which fails when it is out of date and rewrites it on request), served as it is: YAML by default, JSON for
 * {@code /q/openapi.json}, {@code ?format=json} or {@code Accept: application/json}, as Quarkus'
 * OpenAPI extension answers. The extension itself is not used: it parses, filters and serialises the
 * document anew at every start, a fifth of the server's start-up.
 */
@ApplicationScoped
public class OpenApiRoute {
    static final String PATH = "/q/openapi";
    static final String JSON_RESOURCE = "META-INF/sluice/openapi.json";
    static final String YAML_RESOURCE = "META-INF/sluice/openapi.yaml";

    private final AdminAuthFilter auth;
    /** Only for a refusal's body: looked up then, so that the route does not create the mapper at start-up. */
    private final Instance<ObjectMapper> json;
    private volatile byte[] jsonDocument;
    private volatile byte[] yamlDocument;

    OpenApiRoute(AdminAuthFilter auth, Instance<ObjectMapper> json) {
        this.auth = auth;
        this.json = json;
    }

    void register(@Observes Router router) {
        // exact paths, compared as strings: every request to the data port passes these routes on its way to its own
        for (String suffix : new String[] {"", ".json", ".yaml", ".yml"}) {
            router.route(PATH + suffix).order(-4).handler(this::serve);
        }
    }

    private void serve(RoutingContext ctx) {
        Optional<Response> refused = auth.check(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), who -> {});
        if (refused.isPresent()) {
            refuse(ctx, refused.get());
            return;
        }
        HttpMethod method = ctx.request().method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            ctx.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD").end();
            return;
        }
        boolean asJson = wantsJson(ctx);
        byte[] document = asJson ? jsonDocument() : yamlDocument();
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, asJson ? "application/json;charset=UTF-8" : "application/yaml;charset=UTF-8")
                .end(Buffer.buffer(document));
    }

    static boolean wantsJson(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (path.endsWith(".json")) {
            return true;
        }
        if (path.endsWith(".yaml") || path.endsWith(".yml")) {
            return false;
        }
        String format = ctx.request().getParam("format");
        if (format != null) {
            return format.toLowerCase(Locale.ROOT).equals("json");
        }
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.contains("application/json");
    }

    private byte[] jsonDocument() {
        byte[] d = jsonDocument;
        if (d == null) {
            jsonDocument = d = load(JSON_RESOURCE);
        }
        return d;
    }

    private byte[] yamlDocument() {
        byte[] d = yamlDocument;
        if (d == null) {
            yamlDocument = d = load(YAML_RESOURCE);
        }
        return d;
    }

    static byte[] load(String resource) {
        try (InputStream in = OpenApiRoute.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + resource + " is missing from the application");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void refuse(RoutingContext ctx, Response refused) {
        String body;
        try {
            body = json.get().writeValueAsString(refused.getEntity());
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + refused.getStatus() + "}";
        }
        ctx.response().setStatusCode(refused.getStatus())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json").end(body);
    }
}
