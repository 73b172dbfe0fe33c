package io.sluice.admin;

import io.sluice.health.PerformanceDiagnosis;
import io.sluice.metrics.MetricsWindows;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rolling-window performance figures and every Sluice meter's current value ({@code monitor:metrics}); a
 * saved answer is the baseline {@code health-check --baseline} compares against. {@code /performance} is
 * {@code debug:performance}.
 */
@Path("/admin/v1/metrics")
@Produces(MediaType.APPLICATION_JSON)
public class MetricsResource {
    private final MetricsWindows windows;
    private final PerformanceDiagnosis diagnosis;

    MetricsResource(MetricsWindows windows, PerformanceDiagnosis diagnosis) {
        this.windows = windows;
        this.diagnosis = diagnosis;
    }

    @GET
    public Snapshot snapshot() {
        Map<String, WindowView> byName = new LinkedHashMap<>();
        for (MetricsWindows.Window w : windows.windows()) {
            byName.put(w.name(), new WindowView(Math.round(w.seconds() * 10) / 10.0, w.statements()));
        }
        return new Snapshot(Instant.now().toString(), windows.latencyRecorded(), byName, windows.meters());
    }

    @GET
    @Path("/performance")
    public PerformanceDiagnosis.Report performance() {
        return diagnosis.diagnose();
    }

    /**
     * @param latencyRecorded false while detailed monitoring is off: percentiles are then null
     * @param windows {@code 1m}, {@code 5m}, {@code 15m}: the seconds really covered and figures by statement kind ({@code all} first)
     * @param meters every Sluice meter's current value
     */
    public record Snapshot(String at, boolean latencyRecorded, Map<String, WindowView> windows, List<MetricsWindows.MeterValue> meters) {
    }

    public record WindowView(double seconds, Map<String, MetricsWindows.Figures> statements) {
    }
}
