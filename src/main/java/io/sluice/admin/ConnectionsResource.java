package io.sluice.admin;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.config.Setting;
import io.sluice.pool.Backend;
import io.sluice.pool.LeaseView;
import io.sluice.pool.PoolStatus;
import io.sluice.pool.StatementControl;
import io.sluice.sql.RunningStatements;
import io.sluice.state.Connectivity;
import io.sluice.state.StateMachine;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** The pool manager and the backend's connectivity. */
@Path("/admin/v1/connections")
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionsResource {
    private final Backend backend;
    private final StatementControl statements;
    private final AdminCaller caller;
    private final RuntimeSettingsService settings;

    ConnectionsResource(Backend backend, StatementControl statements, AdminCaller caller, RuntimeSettingsService settings) {
        this.caller = caller;
        this.settings = settings;
        this.backend = backend;
        this.statements = statements;
    }

    /** Pool status snapshot ({@code monitor:connections}). */
    @GET
    public PoolStatus status() {
        return backend.status();
    }

    /** Every open lease ({@code debug:connections}). */
    @GET
    @Path("/leases")
    public List<LeaseView> leases() {
        return backend.leases();
    }

    /** Every running statement with its age, principal and redacted SQL ({@code debug:connections}). */
    @GET
    @Path("/statements")
    public List<RunningStatements.View> statements() {
        return statements.running();
    }

    /** Cancels one running statement ({@code debug:connections --cancel ID}); audited. 404 when it no longer runs. */
    @POST
    @Path("/statements/{id}/cancel")
    public RunningStatements.View cancel(@PathParam("id") long id, FlagsResource.Change change,
            @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        String why = change == null || change.reason() == null ? "" : change.reason();
        return statements.cancel(id, caller.who(operator), why)
                .orElseThrow(() -> new NotFoundException("No statement " + id + " is running"));
    }

    /** The backend connectivity state machine: current state, illegal transitions refused, history. */
    @GET
    @Path("/connectivity")
    public ConnectivityView connectivity() {
        StateMachine<Connectivity> m = backend.connectivity();
        return new ConnectivityView(m.current().name(), m.illegalTransitions(), m.history().stream()
                .map(t -> new TransitionView(t.at().toString(), t.from().name(), t.to().name(), t.cause())).toList());
    }

    /**
     * Resizes the pool: one change of the {@code connectionPool} runtime settings (minimum, maximum and
     * acquire timeout together), validated, stored and audited, so every replica follows, as
     * {@code config:update connectionPool <key> <value>} would.
     */
    @PUT
    @Path("/size")
    public PoolStatus resize(PoolSize size, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        if (size == null) {
            throw new IllegalArgumentException("body must be a JSON object with minConnections, maxConnections and acquireTimeoutMs");
        }
        settings.update(Map.of(Setting.POOL_MIN_CONNECTIONS.key(), Integer.toString(size.minConnections()),
                Setting.POOL_MAX_CONNECTIONS.key(), Integer.toString(size.maxConnections()),
                Setting.POOL_ACQUIRE_TIMEOUT.key(), size.acquireTimeoutMs() + "ms"), caller.who(operator), "PUT /admin/v1/connections/size");
        return backend.status();
    }

    @RegisterForReflection
    public record PoolSize(int minConnections, int maxConnections, long acquireTimeoutMs) {
    }

    @RegisterForReflection
    public record ConnectivityView(String state, long illegalTransitions, List<TransitionView> history) {
    }

    @RegisterForReflection
    public record TransitionView(String at, String from, String to, String cause) {
    }
}
