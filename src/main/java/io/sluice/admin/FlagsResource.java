package io.sluice.admin;

import io.sluice.flags.Flag;
import io.sluice.flags.FlagService;
import io.sluice.flags.FlagSet;
import io.sluice.flags.Killswitch;
import io.sluice.store.AuditEntry;
import io.sluice.store.StoreService;
import io.sluice.store.StoreStatus;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Feature flags, rollouts and the killswitch ({@code flags:*}). Every change is written to the flag store and audited. */
@Path("/admin/v1/flags")
@Produces(MediaType.APPLICATION_JSON)
public class FlagsResource {
    /** Names the operator in the audit log; the CLI sends the local user name. */
    static final String OPERATOR_HEADER = "X-Sluice-Operator";

    private final FlagService flags;
    private final StoreService store;
    private final AdminCaller caller;

    FlagsResource(FlagService flags, StoreService store, AdminCaller caller) {
        this.caller = caller;
        this.flags = flags;
        this.store = store;
    }

    @GET
    public FlagsView show() {
        return view(flags.current());
    }

    @POST
    @Path("/{flag}/enable")
    public FlagsView enable(@PathParam("flag") String flag, Change change, @HeaderParam(OPERATOR_HEADER) String operator) {
        return view(flags.enable(flag, caller.who(operator), why(change)));
    }

    @POST
    @Path("/{flag}/disable")
    public FlagsView disable(@PathParam("flag") String flag, Change change, @HeaderParam(OPERATOR_HEADER) String operator) {
        return view(flags.disable(flag, caller.who(operator), why(change)));
    }

    @PUT
    @Path("/{flag}/rollout")
    public FlagsView rollout(@PathParam("flag") String flag, Rollout rollout, @HeaderParam(OPERATOR_HEADER) String operator) {
        if (rollout == null || rollout.percentage() == null) {
            throw new IllegalArgumentException("percentage: required, 0-100");
        }
        return view(flags.rollout(flag, rollout.percentage(), caller.who(operator), rollout.reason() == null ? "" : rollout.reason()));
    }

    /** Creates or replaces an operator-defined flag ({@code flags:define}). */
    @PUT
    @Path("/{flag}")
    public FlagsView define(@PathParam("flag") String flag, Definition definition, @HeaderParam(OPERATOR_HEADER) String operator) {
        if (definition == null) {
            throw new IllegalArgumentException("enabled: required (true or false); rollout: 0-100, default 100");
        }
        boolean enabled = definition.enabled() == null || definition.enabled();
        int rollout = definition.rollout() == null ? 100 : definition.rollout();
        return view(flags.define(flag, enabled, rollout, caller.who(operator), definition.reason() == null ? "" : definition.reason()));
    }

    /** Deletes an operator-defined flag ({@code flags:delete}); the known flags and the killswitch cannot be deleted. */
    @DELETE
    @Path("/{flag}")
    public FlagsView delete(@PathParam("flag") String flag, @QueryParam("reason") String reason, @HeaderParam(OPERATOR_HEADER) String operator) {
        return view(flags.delete(flag, caller.who(operator), reason == null ? "" : reason));
    }

    @POST
    @Path("/killswitch")
    public FlagsView killswitch(Change change, @HeaderParam(OPERATOR_HEADER) String operator) {
        return view(flags.killswitch(why(change), caller.who(operator)));
    }

    @POST
    @Path("/killswitch/restore")
    public FlagsView restore(Change change, @HeaderParam(OPERATOR_HEADER) String operator) {
        return view(flags.restore(caller.who(operator), why(change)));
    }

    @GET
    @Path("/audit")
    public List<AuditEntry> audit() {
        return store.document().audit();
    }

    /**
     * The audit history newest first, a page at a time: beyond the store's last {@code sluice.flags.audit-size}
     * entries when the store keeps a durable history (the file store).
     */
    @GET
    @Path("/audit/history")
    public StoreService.AuditPage auditHistory(@QueryParam("offset") @DefaultValue("0") int offset,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        return store.auditPage(offset, limit);
    }

    private static String why(Change change) {
        return change == null || change.reason() == null ? "" : change.reason();
    }

    private FlagsView view(FlagSet set) {
        return new FlagsView(List.copyOf(set.flags().values()), set.killswitch(), store.status());
    }

    public record Change(String reason) {
    }

    public record Rollout(Integer percentage, String reason) {
    }

    /** An operator-defined flag: {@code enabled} (default true) and {@code rollout} (default 100). */
    public record Definition(Boolean enabled, Integer rollout, String reason) {
    }

    public record FlagsView(List<Flag> flags, Killswitch killswitch, StoreStatus store) {
    }
}
