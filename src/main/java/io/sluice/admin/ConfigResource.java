package io.sluice.admin;

import io.sluice.config.RuntimeSettings;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.config.SettingsExport;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** Runtime settings ({@code config:*}): show, update one key live, export with secrets redacted. */
@Path("/admin/v1/config")
@Produces(MediaType.APPLICATION_JSON)
public class ConfigResource {
    private final RuntimeSettingsService settings;
    private final io.sluice.config.SluiceConfig config;

    private final AdminCaller caller;

    ConfigResource(RuntimeSettingsService settings, io.sluice.config.SluiceConfig config, AdminCaller caller) {
        this.caller = caller;
        this.settings = settings;
        this.config = config;
    }

    @GET
    public ConfigView show() {
        return new ConfigView(settings.environment(), settings.current());
    }

    /** One component's keys, typed and in the units of the whole view (the same record it shows). */
    @GET
    @Path("/{component}")
    public Object component(@PathParam("component") String component) {
        RuntimeSettings s = settings.current();
        return switch (component) {
            case "connectionPool" -> s.connectionPool();
            case "circuitBreaker" -> s.circuitBreaker();
            case "gateway" -> s.gateway();
            case "monitoring" -> s.monitoring();
            default -> throw new IllegalArgumentException("component: unknown '" + component + "'; known: " + settings.components());
        };
    }

    /** Changes one key live on this replica and in the store (every replica follows). */
    @PUT
    @Path("/{component}/{key}")
    public ConfigView update(@PathParam("component") String component, @PathParam("key") String key, Change change,
            @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        if (change == null || change.value() == null) {
            throw new IllegalArgumentException("value: required");
        }
        RuntimeSettings updated = settings.update(component, key, change.value(),
                caller.who(operator),
                change.reason() == null ? "" : change.reason());
        return new ConfigView(settings.environment(), updated);
    }

    /**
     * Re-validates the effective settings (types, ranges, cross-field rules; a 400 names every wrong
     * field) and lists configuration a production deployment should not run without.
     */
    @GET
    @Path("/validate")
    public Validation validate() {
        RuntimeSettings.fromProperties(settings.current().toProperties());
        List<String> warnings = new java.util.ArrayList<>();
        if (config.auth().mode() == io.sluice.config.SluiceConfig.Auth.Mode.NONE) {
            warnings.add("auth.mode=none: the data API accepts unauthenticated requests");
        }
        if (config.admin().token().filter(t -> !t.isBlank()).isEmpty()) {
            warnings.add("admin.token is not set: the admin API is closed in prod and open in dev/test");
        }
        if (config.gateway().batonKey().filter(t -> !t.isBlank()).isEmpty()) {
            warnings.add("gateway.baton-key is not set: batons are only valid on this replica and until it restarts");
        }
        if (config.cluster().advertiseUrl().filter(t -> !t.isBlank()).isEmpty()) {
            warnings.add("cluster.advertise-url is not set: other replicas cannot forward this replica's streams");
        }
        return new Validation(true, settings.environment(), warnings);
    }

    @GET
    @Path("/export")
    @Produces({MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    public String export(@QueryParam("format") @DefaultValue("json") String format) {
        return settings.export(SettingsExport.Format.of(format), Map.of());
    }

    public record Change(String value, String reason) {
    }

    public record ConfigView(List<String> environment, RuntimeSettings settings) {
    }

    public record Validation(boolean valid, List<String> environment, List<String> warnings) {
    }
}
