package io.sluice.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The baseline: the same workloads over plain JDBC, one connection per worker and no gateway, so a run can
 * say what Sluice costs over talking to the database directly. SQLite write transactions start with
 * {@code BEGIN IMMEDIATE} and wait on the lock (busy timeout), as Sluice does.
 */
final class JdbcTarget implements BlockingTarget {
    private final String url;
    private final Properties credentials = new Properties();
    private final boolean sqlite;

    JdbcTarget(String url, String user, String password) {
        this.url = url;
        this.sqlite = url.startsWith("jdbc:sqlite:");
        if (user != null) {
            credentials.setProperty("user", user);
        }
        if (password != null) {
            credentials.setProperty("password", password);
        }
    }

    @Override
    public String name() {
        return "direct-jdbc";
    }

    private Connection connect() throws SQLException {
        // registered explicitly: under the packaged jar's class loader the drivers' service files are not
        // always visible to DriverManager
        try {
            Class.forName(sqlite ? "org.sqlite.JDBC" : "org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            // another driver named by the URL may still be on the class path
        }
        Connection c = DriverManager.getConnection(url, credentials);
        if (sqlite) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
            }
        }
        return c;
    }

    @Override
    public void prepare(Workload workload, int rows) throws BenchException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            if (workload.rowsWritten > 0) {
                s.execute(Schema.CREATE_WRITE);
            }
            if (workload.needsReadTable()) {
                s.execute(Schema.CREATE_READ);
                long have;
                try (ResultSet rs = s.executeQuery(Schema.COUNT_READ)) {
                    rs.next();
                    have = rs.getLong(1);
                }
                if (have != rows) {
                    s.execute(Schema.CLEAR_READ);
                    s.execute(Schema.fillRead(rows));
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState();
            throw new BenchException("direct JDBC to " + url + " failed: " + e.getMessage(), state != null && state.startsWith("08"));
        }
    }

    @Override
    public Worker worker(int index, Workload workload, int rows, long runId) {
        return new JdbcWorker(index, workload, rows, runId);
    }

    private final class JdbcWorker implements Worker {
        private final int index;
        private final Workload workload;
        private final int rows;
        private final long runId;
        private Connection c;
        private PreparedStatement select1;
        private PreparedStatement read;
        private PreparedStatement insert;
        private Statement plain;
        private long seq;

        JdbcWorker(int index, Workload workload, int rows, long runId) {
            this.index = index;
            this.workload = workload;
            this.rows = rows;
            this.runId = runId;
        }

        @Override
        public String run() {
            try {
                if (c == null) {
                    c = connect();
                    // only what the workload uses: the other table may not exist
                    select1 = workload == Workload.SELECT1 ? c.prepareStatement("SELECT 1") : null;
                    read = workload.needsReadTable() ? c.prepareStatement(Schema.POINT_READ) : null;
                    insert = workload.rowsWritten > 0 ? c.prepareStatement(Schema.INSERT) : null;
                    plain = c.createStatement();
                }
                switch (workload) {
                    case SELECT1 -> query(select1);
                    case POINT_READ -> pointRead();
                    case INSERT -> insert();
                    case BATCH -> inTransaction(10, false);
                    case TRANSACTION -> inTransaction(2, true);
                }
                return null;
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (state != null && state.startsWith("08")) {
                    close();
                }
                return "JDBC " + (state == null ? "error " + e.getErrorCode() : state);
            }
        }

        private void pointRead() throws SQLException {
            read.setInt(1, ThreadLocalRandom.current().nextInt(rows) + 1);
            query(read);
        }

        private static void query(PreparedStatement ps) throws SQLException {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getObject(1);
                }
            }
        }

        private void insert() throws SQLException {
            insert.setLong(1, runId);
            insert.setInt(2, index);
            insert.setLong(3, seq++);
            insert.setString(4, Schema.PAYLOAD);
            insert.executeUpdate();
        }

        private void inTransaction(int inserts, boolean withRead) throws SQLException {
            begin();
            boolean done = false;
            try {
                for (int i = 0; i < inserts; i++) {
                    insert();
                }
                if (withRead) {
                    pointRead();
                }
                commit();
                done = true;
            } finally {
                if (!done) {
                    rollback();
                }
            }
        }

        private void begin() throws SQLException {
            if (sqlite) {
                plain.execute("BEGIN IMMEDIATE");
            } else {
                c.setAutoCommit(false);
            }
        }

        private void commit() throws SQLException {
            if (sqlite) {
                plain.execute("COMMIT");
            } else {
                c.commit();
                c.setAutoCommit(true);
            }
        }

        private void rollback() {
            try {
                if (sqlite) {
                    plain.execute("ROLLBACK");
                } else {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                close();
            }
        }

        @Override
        public void close() {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // the connection is gone either way
                }
                c = null;
            }
        }
    }
}
