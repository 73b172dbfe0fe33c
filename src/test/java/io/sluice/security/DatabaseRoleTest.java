package io.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.pool.DatabaseRole;
import io.sluice.testing.Postgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The role check behind the privileged-role refusal (class 5 of issue 13), against the real test cluster: a
 * superuser and a member of each server-access role are privileged; the documented least-privilege role is
 * not. Roles created here have unique names and are dropped afterwards.
 */
@ExtendWith(Postgres.class)
class DatabaseRoleTest {

    @Test
    void shouldCallASuperuserPrivileged() throws Exception {
        try (Connection c = Postgres.connect()) {
            DatabaseRole role = DatabaseRole.of(c);
            assertThat(role.superuser()).as("the test user %s", Postgres.USER).isTrue();
            assertThat(role.isPrivileged()).isTrue();
            assertThat(role.describe()).contains("superuser").contains(role.role());
        }
    }

    @Test
    void shouldTellTheLeastPrivilegeRoleFromMembersOfServerAccessRoles() throws Exception {
        String base = "sluice_role_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        List<String> serverRoles = List.of("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program");
        try (Connection admin = Postgres.connect(); Statement s = admin.createStatement()) {
            try {
                for (String sql : LeastPrivilegeRole.setup(base)) {
                    s.execute(sql);
                }
                try (Connection c = connectAs(base)) {
                    DatabaseRole role = DatabaseRole.of(c);
                    assertThat(role.isPrivileged()).as("%s", role).isFalse();
                    assertThat(role.serverRoles()).isEmpty();
                }
                for (String server : serverRoles) {
                    String member = base + "_" + server.substring(3, 8);
                    s.execute("CREATE ROLE " + member + " LOGIN IN ROLE " + base);
                    s.execute("GRANT " + server + " TO " + member);
                    try (Connection c = connectAs(member)) {
                        DatabaseRole role = DatabaseRole.of(c);
                        assertThat(role.isPrivileged()).as("a member of %s", server).isTrue();
                        assertThat(role.serverRoles()).containsExactly(server);
                        assertThat(role.describe()).contains(server).doesNotContain("superuser");
                    }
                }
            } finally {
                for (String server : serverRoles) {
                    s.execute("DROP ROLE IF EXISTS " + base + "_" + server.substring(3, 8));
                }
                s.execute("DROP SCHEMA IF EXISTS " + base + " CASCADE");
                s.execute("DROP ROLE IF EXISTS " + base);
            }
        }
    }

    private static Connection connectAs(String role) throws SQLException {
        return DriverManager.getConnection(Postgres.URL, role, "");
    }
}
