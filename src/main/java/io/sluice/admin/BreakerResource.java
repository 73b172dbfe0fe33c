package io.sluice.admin;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sluice.breaker.BreakerControl;
import io.sluice.breaker.BreakerStatus;
import io.sluice.breaker.CircuitBreaker;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The circuit breaker ({@code debug:circuit-breaker}) and its operator actions, each audited. */
@Path("/admin/v1/breaker")
@Produces(MediaType.APPLICATION_JSON)
public class BreakerResource {
    private final CircuitBreaker breaker;
    private final BreakerControl control;
    private final AdminCaller caller;

    BreakerResource(CircuitBreaker breaker, BreakerControl control, AdminCaller caller) {
        this.breaker = breaker;
        this.control = control;
        this.caller = caller;
    }

    @GET
    public BreakerStatus status() {
        return breaker.status();
    }

    /** Closes the breaker with a fresh failure window; the reason is optional. */
    @POST
    @Path("/reset")
    public BreakerStatus reset(Reason reason, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        return control.reset(reason == null ? null : reason.reason(), caller.who(operator));
    }

    /** Opens the breaker until reset, e.g. for database maintenance; 400 without a reason. */
    @POST
    @Path("/force-open")
    public BreakerStatus forceOpen(Reason reason, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        return control.forceOpen(reason == null ? null : reason.reason(), caller.who(operator));
    }

    @RegisterForReflection
    public record Reason(String reason) {
    }
}
