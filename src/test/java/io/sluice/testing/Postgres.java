package io.sluice.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where the tests find PostgreSQL: {@code SLUICE_TEST_PG_URL} (default the machine's
 * {@code jdbc:postgresql://127.0.0.1:5432/test}), {@code SLUICE_TEST_PG_USER} (default {@code postgres}),
 * {@code SLUICE_TEST_PG_PASSWORD} (default empty).
 *
 * <p>As a JUnit condition ({@code @ExtendWith(Postgres.class)}): PostgreSQL tests run when the database
 * answers; on a machine without one they are skipped with a message saying how to point them at one;
 * under CI ({@code CI} set, as {@code .ci/run} does) an unreachable database fails them instead.
 */
public final class Postgres implements ExecutionCondition {
    public static final String URL = env("SLUICE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = env("SLUICE_TEST_PG_USER", "postgres");
    public static final String PASSWORD = env("SLUICE_TEST_PG_PASSWORD", "");

    private static volatile Boolean reachable;

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASSWORD);
    }

    /** Configuration that points a Sluice test instance at the test database. */
    public static Map<String, String> sluiceConfig() {
        // the machine's test user is a superuser, which a packaged (prod) server refuses unless told otherwise;
        // PrivilegedRoleRefusalIT and the security suite's least-privilege role test the refusal itself
        return Map.of("sluice.database.url", URL, "sluice.database.user", USER, "sluice.database.password", PASSWORD,
                "sluice.database.allow-privileged-role", "true");
    }

    public static boolean isReachable() {
        if (reachable == null) {
            try (Connection c = connect()) {
                reachable = c.isValid(2);
            } catch (SQLException e) {
                reachable = false;
            }
        }
        return reachable;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (isReachable()) {
            return ConditionEvaluationResult.enabled("PostgreSQL reachable at " + URL);
        }
        if (System.getenv("CI") != null || Boolean.getBoolean("sluice.test.pg.required")) {
            throw new IllegalStateException("PostgreSQL is required in CI but " + URL + " is unreachable");
        }
        return ConditionEvaluationResult.disabled("PostgreSQL is not reachable at " + URL
                + "; start one or set SLUICE_TEST_PG_URL/SLUICE_TEST_PG_USER/SLUICE_TEST_PG_PASSWORD to run these tests");
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
