package io.sluice.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Chooses the backend at run time, so one build (and one native image) serves both: a
 * {@code sluice.database.url} ({@code SLUICE_DATABASE_URL}) activates the {@code postgresql} data source,
 * otherwise the embedded {@code sqlite} one is active. Both data sources are declared at build time;
 * explicit {@code quarkus.datasource."name".active} settings still win (this source has a low ordinal).
 */
public final class BackendSelection implements ConfigSourceFactory {
    static final String URL = "sluice.database.url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue url = context.getValue(URL);
        boolean postgres = url != null && url.getValue() != null && !url.getValue().isBlank();
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.datasource.postgresql.active", Boolean.toString(postgres),
                "quarkus.datasource.sqlite.active", Boolean.toString(!postgres)),
                "sluice-backend-selection", 90));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(90);
    }
}
