package io.sluice.admin;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sluice.breaker.BreakerStatus;
import io.sluice.breaker.CircuitBreaker;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The circuit breaker ({@code debug:circuit-breaker}) and its operator actions. */
@Path("/admin/v1/breaker")
@Produces(MediaType.APPLICATION_JSON)
public class BreakerResource {
    private final CircuitBreaker breaker;

    BreakerResource(CircuitBreaker breaker) {
        this.breaker = breaker;
    }

    @GET
    public BreakerStatus status() {
        return breaker.status();
    }

    /** Closes the breaker with a fresh failure window. */
    @POST
    @Path("/reset")
    public BreakerStatus reset() {
        return breaker.reset();
    }

    /** Opens the breaker until reset, e.g. for database maintenance. */
    @POST
    @Path("/force-open")
    public BreakerStatus forceOpen(Reason reason) {
        String why = reason == null || reason.reason() == null || reason.reason().isBlank() ? "forced open by an operator" : reason.reason();
        return breaker.forceOpen(why);
    }

    @RegisterForReflection
    public record Reason(String reason) {
    }
}
