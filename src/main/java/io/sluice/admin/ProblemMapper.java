package io.sluice.admin;

import io.sluice.state.IllegalTransitionException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place admin errors become {@code application/problem+json}: bad input is 400 naming what was
 * wrong, a conflicting change 409, everything unexpected 500 without internals.
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response badInput(IllegalArgumentException e) {
        return problem(400, "Invalid request", e.getMessage());
    }

    @ServerExceptionMapper
    public Response unknownFlag(io.sluice.flags.UnknownFlagException e) {
        return problem(404, "Not Found", e.getMessage());
    }

    @ServerExceptionMapper
    public Response conflict(IllegalTransitionException e) {
        return problem(409, "Conflicting state change", e.getMessage());
    }

    @ServerExceptionMapper
    public Response migrationConflict(io.sluice.rollout.MigrationConflictException e) {
        return problem(409, "Migration conflict", e.getMessage());
    }

    @ServerExceptionMapper
    public Response migrationNotApproved(io.sluice.rollout.MigrationNotApprovedException e) {
        return problem(403, "Migration not approved", e.getMessage());
    }

    @ServerExceptionMapper
    public Response conflict(IllegalStateException e) {
        return problem(409, "Conflict", e.getMessage());
    }

    @ServerExceptionMapper
    public Response concurrentFlags(io.sluice.store.ConcurrentChangeException e) {
        return problem(409, "Concurrent change", e.getMessage());
    }

    @ServerExceptionMapper
    public Response concurrentSettings(io.sluice.config.SettingsConflictException e) {
        return problem(409, "Concurrent change", e.getMessage());
    }

    @ServerExceptionMapper
    public Response storeUnavailable(io.sluice.store.StoreException e) {
        return problem(503, "Flag store unavailable", e.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return problem(status, Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("admin API request failed", e);
        return problem(500, "Internal error", "The request failed; see the server log");
    }

    static Response problem(int status, String title, String detail) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail)).build();
    }
}
