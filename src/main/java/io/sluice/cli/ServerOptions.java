package io.sluice.cli;

import picocli.CommandLine.Option;

/** Where the running server is and how to authenticate to its admin API; mixed into every client command. */
final class ServerOptions {
    @Option(names = "--url", defaultValue = "${env:SLUICE_URL:-http://localhost:8080}",
            description = "Sluice base URL (env SLUICE_URL); default ${DEFAULT-VALUE}")
    String url;

    @Option(names = "--token", defaultValue = "${env:SLUICE_ADMIN_TOKEN}", description = "Admin token (env SLUICE_ADMIN_TOKEN)")
    String token;

    AdminClient client() {
        return new AdminClient(url, token);
    }
}
