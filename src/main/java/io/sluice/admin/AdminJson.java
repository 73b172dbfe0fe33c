package io.sluice.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;

/**
 * One unit for every duration the admin API answers with: whole milliseconds, the unit runtime settings
 * are updated in ({@code config:update connectionPool acquireTimeout 5000}) and the {@code *Ms} figures
 * use. Jackson's default wrote seconds with nine decimals ({@code 5.000000000}), so {@code config:show}
 * and {@code config:show connectionPool} disagreed by a factor of 1000.
 */
@Singleton
public class AdminJson implements ObjectMapperCustomizer {

    /** After Quarkus' own customizers: a module registered later wins, and the JSR-310 module must not override this. */
    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }

    @Override
    public void customize(ObjectMapper mapper) {
        SimpleModule durations = new SimpleModule("sluice-durations-in-ms");
        durations.addSerializer(Duration.class, new StdSerializer<>(Duration.class) {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeNumber(value.toMillis());
            }
        });
        mapper.registerModule(durations);
    }
}
