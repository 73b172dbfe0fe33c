package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.SluiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged jar (prod profile): the admin API is closed without a token, and client commands never boot the server. */
class AdminAuthIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static int status(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/admin/v1/connections"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void shouldRefuseTheAdminApiInProdWhenNoTokenIsConfigured() throws Exception {
        try (SluiceProcess p = SluiceProcess.start("admin-no-token", Map.of("sluice.auth.mode", "none",
                "sluice.data-dir", "target/admin-it-data"))) {
            assertThat(status(p.url(), null)).isEqualTo(401);
            assertThat(status(p.url(), "anything")).isEqualTo(401);
        }
    }

    @Test
    void shouldRequireTheConfiguredAdminTokenInProd() throws Exception {
        try (SluiceProcess p = SluiceProcess.start("admin-token", Map.of("sluice.auth.mode", "none",
                "sluice.data-dir", "target/admin-it-data", "sluice.admin.token", "s3cret-admin"))) {
            assertThat(status(p.url(), null)).isEqualTo(401);
            assertThat(status(p.url(), "wrong")).isEqualTo(401);
            assertThat(status(p.url(), "s3cret-admin")).isEqualTo(200);
        }
    }

    @Test
    void shouldRunAClientCommandWithoutBootingTheServer() throws Exception {
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/quarkus-app/quarkus-run.jar", "monitor:connections", "--url", "http://127.0.0.1:1"))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes());

        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains("cannot reach Sluice").doesNotContain("Listening on").doesNotContain("Installed features");
    }
}
