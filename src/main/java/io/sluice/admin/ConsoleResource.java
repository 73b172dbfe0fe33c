package io.sluice.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.sluice.config.SluiceConfig;
import io.sluice.health.HealthScore;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Locale;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Read-only figures the operator console needs and the rest of the admin API does not give: the overview
 * (score, the liveness and readiness verdicts of the management port's probes, version, track, uptime) and
 * the live chart series. Every action the console offers goes to the same endpoints the CLI uses.
 */
@Path("/admin/v1/console")
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleResource {
    private final HealthScore score;
    private final SmallRyeHealthReporter probes;
    private final LiveSeries series;
    private final SluiceConfig config;
    private final ObjectMapper json;

    ConsoleResource(HealthScore score, SmallRyeHealthReporter probes, LiveSeries series, SluiceConfig config, ObjectMapper json) {
        this.score = score;
        this.probes = probes;
        this.series = series;
        this.config = config;
        this.json = json;
    }

    /** The probe verdicts the kubelet sees on the management port, and their checks. */
    public record Probe(String status, JsonNode checks) {
    }

    public record Overview(HealthScore.Report score, Probe liveness, Probe readiness, String version, String track, String profiles,
            Instant startedAt, long uptimeMs) {
    }

    @GET
    @Path("/overview")
    public Overview overview() {
        var runtime = ManagementFactory.getRuntimeMXBean();
        return new Overview(score.evaluate(), probe(probes.getLiveness()), probe(probes.getReadiness()),
                ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("dev"),
                config.cluster().track().name().toLowerCase(Locale.ROOT), String.join(",", ConfigUtils.getProfiles()),
                Instant.ofEpochMilli(runtime.getStartTime()), runtime.getUptime());
    }

    /** The live chart points after {@code after} (0: every point kept, the last few minutes). */
    @GET
    @Path("/live")
    public LiveSeries.View live(@QueryParam("after") @DefaultValue("0") long after) {
        return series.after(after);
    }

    private Probe probe(SmallRyeHealth health) {
        JsonNode payload;
        try {
            payload = json.readTree(health.getPayload().toString());
        } catch (JsonProcessingException e) {
            payload = json.createObjectNode();
        }
        return new Probe(health.getStatus().name(), payload.path("checks"));
    }
}
