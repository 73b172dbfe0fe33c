package io.sluice.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.sluice.config.SluiceConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Locale;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Labels on every meter: the application {@link Meters#VERSION} and the release {@link Meters#TRACK}
 * (stable or canary), so dashboards and alerts compare a canary with stable the way Flagger does.
 */
@Singleton
public class MetricsProducers {

    @Produces
    @Singleton
    MeterFilter versionAndTrack(SluiceConfig config) {
        String version = ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("dev");
        return MeterFilter.commonTags(Tags.of(Meters.VERSION, version, Meters.TRACK, config.cluster().track().name().toLowerCase(Locale.ROOT)));
    }
}
