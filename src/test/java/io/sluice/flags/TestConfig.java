package io.sluice.flags;

import io.sluice.config.SluiceConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;

/** A {@link SluiceConfig} without booting Quarkus, from defaults plus the given properties. */
public final class TestConfig {
    private TestConfig() {
    }

    public static SluiceConfig with(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        SmallRyeConfig c =
                new SmallRyeConfigBuilder().withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                        .withMapping(SluiceConfig.class).withDefaultValues(props).build();
        return c.getConfigMapping(SluiceConfig.class);
    }
}
