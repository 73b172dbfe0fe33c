package io.sluice.pool;

import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Online backups of the data ({@code maint:backup-data}). On SQLite the server copies the live database
 * with {@code VACUUM INTO} into a file of {@code sluice.admin.backup-dir}; the caller names only the file,
 * so no request can make the server write anywhere else. On PostgreSQL the database is the operator's
 * (and pg_dump does it better than a gateway could): the answer says how.
 */
@ApplicationScoped
public class DataBackup {
    private static final Logger LOG = Logger.getLogger(DataBackup.class);
    private static final Logger AUDIT_LOG = Logger.getLogger("io.sluice.audit");
    /** A plain file name: no separators, no leading dot (so neither "..", nor a hidden file). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final SluiceConfig config;
    private final Backend backend;
    private final Clock clock = Clock.systemUTC();
    private final AtomicBoolean running = new AtomicBoolean();

    DataBackup(SluiceConfig config, Backend backend) {
        this.config = config;
        this.backend = backend;
    }

    /** What a backup wrote. */
    public record Result(String backend, String file, long bytes, long tookMs) {
    }

    /** The confined directory backups go to. */
    public Path directory() {
        return config.admin().backupDir().orElseGet(() -> config.dataDir().resolve("backups")).toAbsolutePath().normalize();
    }

    /**
     * Backs the SQLite database up into {@code name} (default {@code sluice-<UTC timestamp>.db}) in the backup
     * directory. One backup at a time.
     *
     * @throws IllegalArgumentException a name that is not a plain file name
     * @throws IllegalStateException PostgreSQL (with pg_dump guidance), the file exists, or a backup is running
     */
    public Result backup(String name, String who) {
        if (backend.isPostgres()) {
            throw new IllegalStateException(postgresGuidance());
        }
        String file = name == null || name.isBlank() ? "sluice-" + STAMP.format(clock.instant()) + ".db" : name.strip();
        if (!NAME.matcher(file).matches()) {
            throw new IllegalArgumentException("name: must be a plain file name of 1-128 characters A-Z a-z 0-9 . _ - not starting with "
                    + "'.' (backups are written only to the server's backup directory), but was '" + oneLine(file) + "'");
        }
        Path dir = directory();
        Path target = dir.resolve(file).normalize();
        if (!dir.equals(target.getParent())) {
            throw new IllegalArgumentException("name: must name a file in the backup directory");
        }
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("a backup is already running; try again when it has finished");
        }
        try {
            Files.createDirectories(dir);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("backup file '" + file + "' already exists; choose another name");
            }
            long started = System.nanoTime();
            try {
                backend.backupSqliteTo(target);
            } catch (SQLException e) {
                LOG.errorf("backup to %s failed: %s", target, e.getMessage());
                Files.deleteIfExists(target);
                throw new IllegalStateException("the backup failed (SQLite error " + e.getErrorCode() + "); see the server log");
            }
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            long bytes = Files.size(target);
            AUDIT_LOG.infof("audit action=\"backup-data\" target=\"%s\" who=\"%s\" bytes=%d tookMs=%d", file, oneLine(who), bytes, tookMs);
            return new Result(backend.backendName(), target.toString(), bytes, tookMs);
        } catch (IOException e) {
            LOG.errorf("backup directory %s unusable: %s", dir, e.getMessage());
            throw new UncheckedIOException("the backup directory is not writable; see the server log", e);
        } finally {
            running.set(false);
        }
    }

    /** How to back a PostgreSQL database up, naming it (host, port, database; the URL carries no credentials). */
    String postgresGuidance() {
        String url = backend.jdbcUrl();
        String target = url.startsWith("jdbc:") ? url.substring(5) : url;
        try {
            URI u = URI.create(target);
            target = u.getScheme() + "://" + (u.getHost() == null ? "" : u.getHost()) + (u.getPort() < 0 ? "" : ":" + u.getPort())
                    + (u.getPath() == null ? "" : u.getPath());
        } catch (IllegalArgumentException e) {
            target = "<database>";
        }
        return "the backend is PostgreSQL: Sluice does not copy it; back it up with pg_dump, e.g. "
                + "pg_dump --format=custom --file=sluice-" + STAMP.format(clock.instant()) + ".dump --username=<user> '" + target
                + "' (restore with pg_restore; or use your platform's snapshots / point-in-time recovery)";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\p{Cntrl}\"\\\\]", " ");
    }
}
