package io.sluice.pool;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What the PostgreSQL role Sluice connects as can do beyond its database. A superuser, or a member of
 * {@code pg_read_server_files}, {@code pg_write_server_files} or {@code pg_execute_server_program}, can read
 * and write the server's files and run programs on it ({@code COPY ... TO PROGRAM}, {@code pg_read_file},
 * {@code lo_import}); a read-only transaction does not stop any of that. Those roles are refused in
 * {@code prod} unless {@code sluice.database.allow-privileged-role=true}.
 *
 * @param role the role's name
 * @param superuser whether it is a superuser
 * @param serverRoles the server-access roles it is a member of
 * @param canSignalBackends whether it may terminate or cancel other sessions (its own role's by default)
 */
public record DatabaseRole(String role, boolean superuser, List<String> serverRoles, boolean canSignalBackends) {

    /** The predefined roles that reach outside the database (PostgreSQL 11 and later). */
    static final List<String> SERVER_ROLES = List.of("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program");

    private static final String QUERY = "SELECT current_user, r.rolsuper,"
            + " ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_roles g"
            + "   WHERE g.rolname IN ('pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program')"
            + "   AND pg_catalog.pg_has_role(current_user, g.oid, 'MEMBER') ORDER BY g.rolname),"
            + " pg_catalog.has_function_privilege('pg_catalog.pg_terminate_backend(integer, bigint)', 'EXECUTE')"
            + " FROM pg_catalog.pg_roles r WHERE r.rolname = current_user";

    /** Reads the connection's role; one query. */
    public static DatabaseRole of(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            if (!rs.next()) {
                throw new SQLException("the current role is not in pg_roles", "42704");
            }
            List<String> roles = new ArrayList<>();
            Array a = rs.getArray(3);
            for (Object o : (Object[]) a.getArray()) {
                roles.add(String.valueOf(o));
            }
            return new DatabaseRole(rs.getString(1), rs.getBoolean(2), List.copyOf(roles), rs.getBoolean(4));
        }
    }

    /** True when the role reaches outside the database (superuser or a server-access role). */
    public boolean isPrivileged() {
        return superuser || !serverRoles.isEmpty();
    }

    /** One line naming what makes the role privileged. */
    public String describe() {
        List<String> what = new ArrayList<>();
        if (superuser) {
            what.add("is a superuser");
        }
        if (!superuser && !serverRoles.isEmpty()) {
            what.add("is a member of " + String.join(", ", serverRoles));
        }
        return "the PostgreSQL role \"" + role + "\" " + String.join(" and ", what)
                + ", so SQL sent through Sluice could read or write the database server's files or run programs on it";
    }
}
