package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The operator console's door: its pages (static files under {@code META-INF/resources/admin/console/}) are
 * served only to a browser holding a live {@link ConsoleSessions console session}; without one a page
 * request is sent to the log-in page, which shows nothing but the form, and anything else gets an empty 401.
 * The log-in page, its script and the style sheet are the only files served to anyone.
 *
 * <p>{@code /admin/console/session} logs in ({@code POST} a JSON {@code {"token", "operator"}} once: the
 * credential is checked exactly as {@link AdminAuthFilter} checks an admin API request), tells the page its
 * CSRF token ({@code GET}), and logs out ({@code DELETE}). The page then calls the admin API
 * ({@code /admin/v1/...}) like the CLI does; no write goes anywhere else.
 */
@ApplicationScoped
public class ConsoleRoutes {
    static final String BASE = "/admin/console";
    static final String LOGIN = BASE + "/login.html";
    private static final Logger LOG = Logger.getLogger(ConsoleRoutes.class);
    private static final Set<String> PUBLIC = Set.of(LOGIN, BASE + "/login.js", BASE + "/console.css");
    private static final int MAX_LOGIN_BYTES = 16 * 1024;

    private final AdminAuthFilter auth;
    private final ConsoleSessions sessions;
    /** Looked up at the first use, so that the routes do not create the mapper at start-up. */
    private final Instance<ObjectMapper> json;
    private final AuthFailureLimiter limiter;

    ConsoleRoutes(AdminAuthFilter auth, ConsoleSessions sessions, Instance<ObjectMapper> json, AuthFailureLimiter limiter) {
        this.auth = auth;
        this.sessions = sessions;
        this.json = json;
        this.limiter = limiter;
    }

    void register(@Observes Router router) {
        // the console's path and every path under it (by prefix: no regular expression runs for every request that
        // passes this route on its way to another)
        router.route(BASE + "/*").order(-5).handler(this::guard);
        router.route(BASE + "/session").order(-4).handler(BodyHandler.create(false).setBodyLimit(MAX_LOGIN_BYTES))
                .handler(this::session);
    }

    void announce(@Observes StartupEvent event) {
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT) {
            int port = ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
            LOG.infof("Operator console: http://localhost:%d%s/", port, BASE);
        }
    }

    private void guard(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        response.putHeader("Cache-Control", "no-store")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                        + "form-action 'self'; frame-ancestors 'none'");
        String path = ctx.normalizedPath();
        if (path.equals(BASE)) {
            redirect(ctx, BASE + "/");
            return;
        }
        if (PUBLIC.contains(path) || path.equals(BASE + "/session")) {
            ctx.next();
            return;
        }
        if (live(ctx).isPresent()) {
            ctx.next();
            return;
        }
        boolean page = (ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD)
                && (path.endsWith("/") || path.endsWith(".html"));
        if (page) {
            redirect(ctx, LOGIN);
        } else {
            response.setStatusCode(401).end();
        }
    }

    /** The session the cookie names, when it is live and its credential still admits (a rotated token ends it). */
    private Optional<ConsoleSessions.Session> live(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(ConsoleSessions.COOKIE);
        return sessions.find(cookie == null ? null : cookie.getValue())
                .filter(s -> auth.check("Bearer " + s.credential(), who -> {}).isEmpty());
    }

    private void session(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.POST) {
            login(ctx);
        } else if (method == HttpMethod.GET) {
            Optional<ConsoleSessions.Session> s = live(ctx);
            if (s.isEmpty()) {
                problem(ctx, 401, "Unauthorized", "Not logged in to the console");
            } else {
                answer(ctx, 200, view(s.get()));
            }
        } else if (method == HttpMethod.DELETE) {
            Cookie cookie = ctx.request().getCookie(ConsoleSessions.COOKIE);
            Optional<ConsoleSessions.Session> s = sessions.admit(cookie == null ? null : cookie.getValue(),
                    ctx.request().getHeader(ConsoleSessions.CSRF_HEADER), ctx.request().getHeader("Origin"), ctx.request().host());
            if (s.isEmpty()) {
                problem(ctx, 401, "Unauthorized", "Not logged in to the console, or the CSRF token is missing");
                return;
            }
            sessions.close(s.get().id());
            ctx.response().addCookie(cookie(ctx, "").setMaxAge(0));
            ctx.response().setStatusCode(204).end();
        } else {
            ctx.response().putHeader(HttpHeaders.ALLOW, "GET, POST, DELETE");
            problem(ctx, 405, "Method Not Allowed", "GET, POST or DELETE");
        }
    }

    /**
     * Log-in: a same-origin JSON post (a cross-site form can send neither this content type without a
     * preflight nor this origin), checked as the admin API checks a bearer token.
     */
    private void login(RoutingContext ctx) {
        if (!ConsoleSessions.sameOrigin(ctx.request().getHeader("Origin"), ctx.request().host(), true)) {
            problem(ctx, 403, "Forbidden", "Log in from the console's own page");
            return;
        }
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json") || ctx.body().buffer() == null) {
            problem(ctx, 415, "Unsupported Media Type", "Post {\"token\": \"...\"} as application/json");
            return;
        }
        String token;
        String operator;
        try {
            JsonNode body = json.get().readTree(ctx.body().buffer().getBytes());
            token = body.path("token").asText("").strip();
            operator = body.path("operator").asText("").strip().replaceAll("\\p{Cntrl}", " ");
        } catch (IOException e) {
            problem(ctx, 400, "Invalid request", "The body is not JSON");
            return;
        }
        if (token.isEmpty()) {
            problem(ctx, 401, "Unauthorized", "An admin token, or a JWT with the admin role, is required");
            return;
        }
        // limited before the credential is looked at: while limited, even the right token gets in no sooner
        String address = AdminAuthFilter.address(ctx.request());
        OptionalLong wait = limiter.admit(address, AuthFailureLimiter.Door.CONSOLE_LOGIN);
        if (wait.isPresent()) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait.getAsLong()));
            problem(ctx, 429, "Too Many Requests", "Too many failed log-ins from this address; retry in " + wait.getAsLong() + " s");
            return;
        }
        String[] principal = {AdminCaller.UNAUTHENTICATED};
        Optional<Response> refused = auth.check("Bearer " + token, who -> principal[0] = who);
        if (refused.isPresent()) {
            if (refused.get().getStatus() == 401) {
                limiter.failed(address);
            }
            Problem p = (Problem) refused.get().getEntity();
            problem(ctx, p.status(), p.title(), p.detail());
            return;
        }
        ConsoleSessions.Session s = sessions.open(token, principal[0], operator.length() > 64 ? operator.substring(0, 64) : operator);
        LOG.infof("console log-in: %s%s", s.principal(), s.operator().isEmpty() ? "" : " (operator: " + s.operator() + ")");
        ctx.response().addCookie(cookie(ctx, s.id()).setMaxAge(ConsoleSessions.MAX_AGE.toSeconds()));
        answer(ctx, 200, view(s));
    }

    private static Cookie cookie(RoutingContext ctx, String value) {
        return Cookie.cookie(ConsoleSessions.COOKIE, value).setPath("/admin").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(ctx.request().isSSL());
    }

    private static Map<String, Object> view(ConsoleSessions.Session s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("principal", s.principal());
        v.put("operator", s.operator());
        v.put("csrf", s.csrf());
        v.put("expiresAt", s.expiresAt().toString());
        return v;
    }

    private static void redirect(RoutingContext ctx, String to) {
        ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, to).end();
    }

    private void problem(RoutingContext ctx, int status, String title, String detail) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        write(ctx, status, new Problem("about:blank", title, status, detail));
    }

    private void answer(RoutingContext ctx, int status, Object body) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        write(ctx, status, body);
    }

    private void write(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).end(json.get().writeValueAsString(body));
        } catch (IOException e) {
            ctx.response().setStatusCode(500).end();
        }
    }
}
