package io.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.UUID;

/**
 * Builds Hrana request bodies exactly as the official clients spell them. Values are built as JSON
 * trees (not maps) so that a test controls the precise encoding, e.g. {@code 1} versus {@code 1.0}.
 */
final class HranaJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private HranaJson() {
    }

    /** A table name no other test (or earlier run against the same database file) uses. */
    static String uniqueTable(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    }

    /** Parses JSON written with single quotes for readability ({@code "{'type':'null'}"}). */
    static JsonNode parse(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("bad JSON in test: " + singleQuoted, e);
        }
    }

    // ---- bodies -------------------------------------------------------------------------------

    /** A pipeline body; a null baton is sent as an explicit {@code "baton": null}. */
    static ObjectNode pipeline(String baton, JsonNode... requests) {
        ObjectNode body = F.objectNode();
        body.put("baton", baton);
        ArrayNode reqs = body.putArray("requests");
        for (JsonNode r : requests) {
            reqs.add(r);
        }
        return body;
    }

    /** A cursor body. */
    static ObjectNode cursor(String baton, ObjectNode batch) {
        ObjectNode body = F.objectNode();
        body.put("baton", baton);
        body.set("batch", batch);
        return body;
    }

    // ---- stream requests ----------------------------------------------------------------------

    static ObjectNode execute(ObjectNode stmt) {
        ObjectNode r = F.objectNode().put("type", "execute");
        r.set("stmt", stmt);
        return r;
    }

    static ObjectNode execute(String sql, JsonNode... args) {
        return execute(stmt(sql, args));
    }

    static ObjectNode batchRequest(ObjectNode batch) {
        ObjectNode r = F.objectNode().put("type", "batch");
        r.set("batch", batch);
        return r;
    }

    static ObjectNode sequence(String sql) {
        return F.objectNode().put("type", "sequence").put("sql", sql);
    }

    static ObjectNode sequenceId(int sqlId) {
        return F.objectNode().put("type", "sequence").put("sql_id", sqlId);
    }

    static ObjectNode describe(String sql) {
        return F.objectNode().put("type", "describe").put("sql", sql);
    }

    static ObjectNode describeId(int sqlId) {
        return F.objectNode().put("type", "describe").put("sql_id", sqlId);
    }

    static ObjectNode storeSql(int sqlId, String sql) {
        return F.objectNode().put("type", "store_sql").put("sql_id", sqlId).put("sql", sql);
    }

    static ObjectNode closeSql(int sqlId) {
        return F.objectNode().put("type", "close_sql").put("sql_id", sqlId);
    }

    static ObjectNode close() {
        return F.objectNode().put("type", "close");
    }

    static ObjectNode getAutocommit() {
        return F.objectNode().put("type", "get_autocommit");
    }

    // ---- statements ---------------------------------------------------------------------------

    /** A statement as {@code @libsql/client} sends it: args, empty named_args and want_rows spelled out. */
    static ObjectNode stmt(String sql, JsonNode... args) {
        ObjectNode s = F.objectNode().put("sql", sql);
        ArrayNode a = s.putArray("args");
        for (JsonNode v : args) {
            a.add(v);
        }
        s.putArray("named_args");
        s.put("want_rows", true);
        return s;
    }

    static ObjectNode stmtId(int sqlId, JsonNode... args) {
        ObjectNode s = F.objectNode().put("sql_id", sqlId);
        ArrayNode a = s.putArray("args");
        for (JsonNode v : args) {
            a.add(v);
        }
        s.putArray("named_args");
        s.put("want_rows", true);
        return s;
    }

    /** A statement with named arguments given as name, value, name, value… */
    static ObjectNode namedStmt(String sql, Object... nameValuePairs) {
        ObjectNode s = F.objectNode().put("sql", sql);
        s.putArray("args");
        ArrayNode named = s.putArray("named_args");
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            ObjectNode a = named.addObject();
            a.put("name", (String) nameValuePairs[i]);
            a.set("value", (JsonNode) nameValuePairs[i + 1]);
        }
        s.put("want_rows", true);
        return s;
    }

    static ObjectNode noRows(ObjectNode stmt) {
        return stmt.put("want_rows", false);
    }

    // ---- batches and conditions ---------------------------------------------------------------

    static ObjectNode batch(ObjectNode... steps) {
        ObjectNode b = F.objectNode();
        ArrayNode s = b.putArray("steps");
        for (ObjectNode step : steps) {
            s.add(step);
        }
        return b;
    }

    static ObjectNode step(ObjectNode stmt) {
        ObjectNode s = F.objectNode();
        s.set("stmt", stmt);
        return s;
    }

    static ObjectNode step(ObjectNode condition, ObjectNode stmt) {
        ObjectNode s = F.objectNode();
        s.set("condition", condition);
        s.set("stmt", stmt);
        return s;
    }

    static ObjectNode ok(int step) {
        return F.objectNode().put("type", "ok").put("step", step);
    }

    static ObjectNode error(int step) {
        return F.objectNode().put("type", "error").put("step", step);
    }

    static ObjectNode not(ObjectNode cond) {
        ObjectNode c = F.objectNode().put("type", "not");
        c.set("cond", cond);
        return c;
    }

    static ObjectNode and(ObjectNode... conds) {
        ObjectNode c = F.objectNode().put("type", "and");
        ArrayNode a = c.putArray("conds");
        for (ObjectNode x : conds) {
            a.add(x);
        }
        return c;
    }

    static ObjectNode or(ObjectNode... conds) {
        ObjectNode c = F.objectNode().put("type", "or");
        ArrayNode a = c.putArray("conds");
        for (ObjectNode x : conds) {
            a.add(x);
        }
        return c;
    }

    static ObjectNode isAutocommit() {
        return F.objectNode().put("type", "is_autocommit");
    }

    // ---- results ------------------------------------------------------------------------------

    /** A column of a StmtResult or describe result; a null decltype is an explicit JSON null. */
    static ObjectNode col(String name, String decltype) {
        return F.objectNode().put("name", name).put("decltype", decltype);
    }

    static ArrayNode cols(ObjectNode... cols) {
        ArrayNode a = F.arrayNode();
        for (ObjectNode c : cols) {
            a.add(c);
        }
        return a;
    }

    // ---- values -------------------------------------------------------------------------------

    static ObjectNode nul() {
        return F.objectNode().put("type", "null");
    }

    static ObjectNode integer(long v) {
        return F.objectNode().put("type", "integer").put("value", Long.toString(v));
    }

    static ObjectNode flt(double v) {
        return F.objectNode().put("type", "float").put("value", v);
    }

    /** A float whose JSON value is the integral number {@code v} (no fraction), as JavaScript writes {@code 1}. */
    static ObjectNode jsNumber(long v) {
        return F.objectNode().put("type", "float").put("value", v);
    }

    static ObjectNode text(String v) {
        return F.objectNode().put("type", "text").put("value", v);
    }

    static ObjectNode blob(String base64) {
        return F.objectNode().put("type", "blob").put("base64", base64);
    }
}
