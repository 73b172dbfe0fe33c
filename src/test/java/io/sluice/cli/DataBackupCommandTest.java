package io.sluice.cli;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.Cli;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** {@code maint:backup-data}: an online SQLite backup by the server, confined to its backup directory. */
@QuarkusTest
class DataBackupCommandTest {
    /** The test profile's data directory; backups default to its {@code backups} directory. */
    private static final Path BACKUPS = Path.of("target", "test-data", "backups").toAbsolutePath();

    @TestHTTPResource("/")
    URL server;

    private static void sql(String statement) {
        given().contentType("application/json")
                .body("{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + statement + "\"}},{\"type\":\"close\"}]}")
                .post("/v3/pipeline").then().statusCode(200);
    }

    @Test
    void shouldCopyTheLiveDatabaseIntoTheBackupDirectoryWhileStreamsStayOpen() throws Exception {
        sql("CREATE TABLE IF NOT EXISTS backup_cli_rows (id INTEGER PRIMARY KEY, v TEXT)");
        sql("DELETE FROM backup_cli_rows");
        sql("INSERT INTO backup_cli_rows (v) VALUES ('one'), ('two'), ('three')");
        String name = "cli-test-" + System.nanoTime() + ".db";

        Cli.Run r = Cli.run(server, "maint:backup-data", name);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("sqlite backed up to " + BACKUPS.resolve(name)).containsPattern("\\d+(\\.\\d)? (B|KiB|MiB) in \\d+(ms|s)");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + BACKUPS.resolve(name));
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*), group_concat(v) FROM backup_cli_rows")) {
            assertThat(rs.getInt(1)).isEqualTo(3);
            assertThat(rs.getString(2)).contains("one", "two", "three");
        }
        Cli.Run again = Cli.run(server, "maint:backup-data", name);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already exists").contains("HTTP 409");
    }

    @Test
    void shouldRefuseEveryNameThatIsNotAPlainFileInTheBackupDirectory() throws Exception {
        for (String name : new String[] {"../escaped.db", "/tmp/escaped.db", "..", ".hidden.db", "sub/dir.db", "a\\\\b.db", "x\ny.db"}) {
            Cli.Run r = Cli.run(server, "maint:backup-data", name, "--json");

            assertThat(r.exit()).as(name).isEqualTo(1);
            assertThat(r.err()).as(name).contains("must be a plain file name").contains("HTTP 400");
        }
        assertThat(Path.of("target", "test-data", "escaped.db")).doesNotExist();
        assertThat(Path.of("/tmp/escaped.db")).doesNotExist();
        assertThat(Files.exists(BACKUPS.resolve("sub"))).isFalse();
    }
}
