package io.sluice.admin;

import io.sluice.rollout.MigrationService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The phased migration ({@code sluice migrate}): start (or continue a held one, or a dry run), status,
 * hold mid-step and resume, rollback to the snapshot. The server runs it; this only starts it and reports.
 */
@Path("/admin/v1/migration")
@Produces(MediaType.APPLICATION_JSON)
public class MigrationResource {
    private final MigrationService migrations;

    private final AdminCaller caller;

    MigrationResource(MigrationService migrations, AdminCaller caller) {
        this.caller = caller;
        this.migrations = migrations;
    }

    @GET
    public MigrationService.View status() {
        return migrations.view();
    }

    /** 200 with the plan for a dry run, 202 with the migration's state otherwise; 403 unapproved, 409 conflicting. */
    @POST
    public jakarta.ws.rs.core.Response start(MigrationService.StartRequest request, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        Object result = migrations.start(request, caller.who(operator));
        int status = result instanceof MigrationService.PlanView ? 200 : 202;
        return jakarta.ws.rs.core.Response.status(status).entity(result).type(MediaType.APPLICATION_JSON).build();
    }

    /** Holds the running migration mid-step: traffic stays as it is, nothing soaks, checks or advances until a resume. */
    @POST
    @Path("/hold")
    public MigrationService.View hold(FlagsResource.Change change, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        return migrations.hold(caller.who(operator), reason(change));
    }

    /** Resumes a held migration at its step, which soaks and is checked again; 202, as a start. */
    @POST
    @Path("/resume")
    public jakarta.ws.rs.core.Response resume(FlagsResource.Change change, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        return jakarta.ws.rs.core.Response.status(202).entity(migrations.resume(caller.who(operator), reason(change)))
                .type(MediaType.APPLICATION_JSON).build();
    }

    private static String reason(FlagsResource.Change change) {
        String why = change == null || change.reason() == null ? "" : change.reason().strip();
        if (why.length() > 200) {
            throw new IllegalArgumentException("reason: at most 200 characters (got " + why.length() + ")");
        }
        return why;
    }

    @POST
    @Path("/rollback")
    public MigrationService.View rollback(FlagsResource.Change change, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        String who = caller.who(operator);
        String why = change == null || change.reason() == null || change.reason().isBlank() ? "rollback requested by " + who : change.reason();
        return migrations.rollback(who, why);
    }
}
