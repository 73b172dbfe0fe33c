package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.SluiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar serves an open data API only when the operator says so with {@code SLUICE_AUTH_MODE=none}:
 * a profile whose default is {@code none} ({@code dev}) is not enough.
 */
class PackagedAuthModeIT {
    private static final String PIPELINE = "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}";

    @Test
    void shouldRefuseToStartOpenWhenOnlyTheDevProfileSaysNone() throws Exception {
        assertThatThrownBy(() -> SluiceProcess.start("auth-dev-profile", Map.of("sluice.data-dir", "target/auth-mode-it-data"),
                List.of(), Map.of("QUARKUS_PROFILE", "dev"))).isInstanceOf(IllegalStateException.class);

        assertThat(Files.readString(SluiceProcess.log("auth-dev-profile"))).contains("SLUICE_AUTH_MODE=none");
    }

    @Test
    void shouldServeOpenInDevProfileWhenSluiceAuthModeNoneIsSetExplicitly() throws Exception {
        try (SluiceProcess p = SluiceProcess.start("auth-dev-explicit", Map.of("sluice.data-dir", "target/auth-mode-it-data"),
                List.of(), Map.of("QUARKUS_PROFILE", "dev", "SLUICE_AUTH_MODE", "none"))) {
            HttpResponse<String> r = p.post("/v2/pipeline", PIPELINE);

            assertThat(r.statusCode()).isEqualTo(200);
        }
    }
}
