package io.sluice.admin;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator console's log-in sessions, held in this replica's memory only.
 *
 * <p>The console's log-in page posts an admin credential once (the admin token or an admin-role JWT, checked
 * by {@link AdminAuthFilter}); the server keeps it here under a random session id and gives the browser only
 * that id, in an {@code HttpOnly; SameSite=Strict} cookie (plus {@code Secure} over TLS), so no script on the
 * page can read the credential and no URL ever carries it. Every admin API call made with the cookie must
 * also carry the session's CSRF token in {@value #CSRF_HEADER} (a header a cross-site form cannot send), and
 * an {@code Origin}, when the browser sends one, must name this server. The stored credential is checked
 * again on every request, so a rotated admin token or an expired JWT ends the session.
 *
 * <p>A session ends after {@link #IDLE} without use, {@link #MAX_AGE} after log-in, at log-out, and when the
 * process restarts; at most {@link #MAX_SESSIONS} live at once (the oldest goes first).
 */
@ApplicationScoped
public class ConsoleSessions {
    /** The session cookie; its path is {@code /admin}, so it reaches the console and the admin API only. */
    static final String COOKIE = "sluice_console";
    /** The header that must repeat the session's CSRF token on every cookie-authenticated request. */
    static final String CSRF_HEADER = "X-Sluice-Csrf";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration MAX_AGE = Duration.ofHours(8);
    static final int MAX_SESSIONS = 64;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;

    /**
     * One logged-in browser.
     *
     * @param credential the admin credential posted at log-in, sent on as a bearer token; never leaves the server
     * @param principal who {@link AdminAuthFilter} admitted at log-in
     * @param operator the name the operator typed at log-in, sent as {@code X-Sluice-Operator} (a note beside the principal)
     */
    record Session(String id, String csrf, String credential, String principal, String operator, Instant created, Instant lastSeen) {
        Instant expiresAt() {
            Instant idle = lastSeen.plus(IDLE);
            Instant max = created.plus(MAX_AGE);
            return idle.isBefore(max) ? idle : max;
        }
    }

    ConsoleSessions() {
        this(Clock.systemUTC());
    }

    ConsoleSessions(Clock clock) {
        this.clock = clock;
    }

    /** Opens a session for a credential that was just admitted. */
    Session open(String credential, String principal, String operator) {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !s.expiresAt().isAfter(now));
        while (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min(Comparator.comparing(Session::created)).ifPresent(s -> sessions.remove(s.id()));
        }
        Session s = new Session(randomId(), randomId(), credential, principal, operator, now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session with this id (and its idle clock restarted), or empty when unknown or expired. */
    Optional<Session> find(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (!s.expiresAt().isAfter(now)) {
            sessions.remove(id);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.csrf(), s.credential(), s.principal(), s.operator(), s.created(), now);
        sessions.replace(id, s, touched);
        return Optional.of(touched);
    }

    /**
     * The session of a state-carrying request (an admin API call or a log-out): the cookie names a live session,
     * the CSRF header repeats its token, and the {@code Origin}, if sent, is this server.
     */
    Optional<Session> admit(String id, String csrf, String origin, String host) {
        if (csrf == null || !sameOrigin(origin, host, false)) {
            return Optional.empty();
        }
        return find(id).filter(s -> MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.US_ASCII),
                csrf.getBytes(StandardCharsets.US_ASCII)));
    }

    void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /**
     * True when {@code origin} names the server the request was sent to ({@code host}, the Host header). The
     * scheme is not compared: a TLS-terminating proxy in front changes it, and another scheme of the same host
     * is the same site. A missing {@code Origin} passes only when not {@code required}.
     */
    static boolean sameOrigin(String origin, String host, boolean required) {
        if (origin == null || origin.isBlank()) {
            return !required;
        }
        if (host == null || host.isBlank() || "null".equals(origin)) {
            return false;
        }
        try {
            String authority = URI.create(origin.strip()).getRawAuthority();
            return authority != null && authority.toLowerCase(Locale.ROOT).equals(host.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private String randomId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
