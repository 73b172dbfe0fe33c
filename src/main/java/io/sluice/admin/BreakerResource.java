package io.sluice.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private final ObjectMapper json;

    BreakerResource(CircuitBreaker breaker, BreakerControl control, AdminCaller caller, ObjectMapper json) {
        this.breaker = breaker;
        this.control = control;
        this.caller = caller;
        this.json = json;
    }

    @GET
    public BreakerStatus status() {
        return breaker.status();
    }

    /** Closes the breaker with a fresh failure window; the reason is optional. */
    @POST
    @Path("/reset")
    public BreakerStatus reset(String body, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        return control.reset(reason(body), caller.who(operator));
    }

    /** Opens the breaker until reset, e.g. for database maintenance; 400 without a reason. */
    @POST
    @Path("/force-open")
    public BreakerStatus forceOpen(String body, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        return control.forceOpen(reason(body), caller.who(operator));
    }

    /**
     * The {@code reason} of a {@code {"reason": "..."}} body, null without one. Read by hand so that a request with no
     * body or content type (a bare {@code curl -X POST}) is answered by the breaker's own rule (reset: fine; force-open:
     * 400 naming the reason) rather than 415.
     */
    private String reason(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = json.readTree(body);
            JsonNode reason = node == null ? null : node.get("reason");
            if (reason != null && !reason.isNull() && !reason.isTextual()) {
                throw new IllegalArgumentException("reason: must be text");
            }
            return reason == null || reason.isNull() ? null : reason.asText();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body must be JSON: {\"reason\": \"...\"}");
        }
    }
}
