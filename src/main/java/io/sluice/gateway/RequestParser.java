package io.sluice.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sluice.gateway.Hrana.AndCond;
import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.BatchStep;
import io.sluice.gateway.Hrana.Cond;
import io.sluice.gateway.Hrana.ErrorCond;
import io.sluice.gateway.Hrana.IsAutocommitCond;
import io.sluice.gateway.Hrana.NotCond;
import io.sluice.gateway.Hrana.OkCond;
import io.sluice.gateway.Hrana.OrCond;
import io.sluice.gateway.Hrana.Stmt;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.Hrana.Version;
import io.sluice.sql.ArgumentBinder.NamedArg;
import io.sluice.sql.ValueCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Parses Hrana JSON bodies into {@link Hrana} records. Anything that does not fit the protocol's shape
 * is a {@link ProtocolException} (HTTP 400) naming the offending field; unknown fields are ignored.
 */
final class RequestParser {
    /** Conditions and JSON nest; both are bounded so hostile input cannot exhaust the stack. */
    static final int MAX_NESTING = 64;

    private static final ObjectMapper MAPPER = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING * 3 + 16)
                    .maxNumberLength(400)
                    .build())
            .build())
            .build();

    private final Version version;

    RequestParser(Version version) {
        this.version = version;
    }

    static JsonNode readTree(byte[] body) {
        if (body.length == 0) {
            throw ProtocolException.badRequest("Request body is empty; expected a JSON object");
        }
        try {
            JsonNode root = MAPPER.readTree(body);
            if (root == null || !root.isObject()) {
                throw ProtocolException.badRequest("Request body must be a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw ProtocolException.badRequest("Malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProtocolException.badRequest("Unreadable request body");
        }
    }

    /** A pipeline body read by {@link #simplePipeline}: its baton (null opens a stream) and its requests. */
    record SimplePipeline(String baton, List<StreamRequest> requests) implements BodyEncoding.RequestBody {
        @Override
        public Batch cursorBatch() {
            throw ProtocolException.badRequest("Missing field 'batch'");
        }

        @Override
        public boolean isPipeline() {
            return true;
        }
    }

    /**
     * Reads, in one streaming pass and without building a tree, a pipeline body of the shape clients send
     * for plain statements: an optional {@code baton} and {@code requests} of {@code close}s and
     * {@code execute}s of statements {@link #simpleStmt} reads (SQL text, positional arguments of the common
     * types or none, {@code want_rows} optional). Any other body, valid or not (another field, a duplicate key,
     * a named argument, a value of another type, malformed JSON), gives null: {@link #readTree} and {@link #requests} then read it as before, with their
     * error messages, so this changes the cost of the common case and nothing else.
     */
    static SimplePipeline simplePipeline(byte[] body) {
        try (JsonParser p = streaming(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String baton = null;
            boolean seenBaton = false;
            List<StreamRequest> requests = null;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("baton".equals(field) && !seenBaton && (value == JsonToken.VALUE_NULL || value == JsonToken.VALUE_STRING)) {
                    seenBaton = true;
                    baton = value == JsonToken.VALUE_NULL ? null : p.getText();
                } else if ("requests".equals(field) && requests == null && value == JsonToken.START_ARRAY) {
                    requests = new ArrayList<>(4);
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        StreamRequest r = simpleRequest(p);
                        if (r == null) {
                            return null;
                        }
                        requests.add(r);
                    }
                } else {
                    return null;
                }
            }
            if (requests == null || p.nextToken() != null) {
                return null;
            }
            return new SimplePipeline(baton, Collections.unmodifiableList(requests));
        } catch (IOException e) {
            return null;
        }
    }

    /** A streaming parser of {@code body}, with the limits {@link #readTree} has: for the one-pass reads of common messages. */
    static JsonParser streaming(byte[] body) throws IOException {
        return MAPPER.getFactory().createParser(body);
    }

    /** One {@code close}, or {@code execute} of a statement {@link #simpleStmt} reads, the parser on its START_OBJECT; null for anything else. */
    private static StreamRequest simpleRequest(JsonParser p) throws IOException {
        SimpleRequest r = simpleRequestFields(p);
        if (r == null || r.streamId() != null) {
            return null;
        }
        if ("close".equals(r.type()) && r.stmt() == null) {
            return new Hrana.CloseReq();
        }
        return "execute".equals(r.type()) && r.stmt() != null ? new Hrana.ExecuteReq(r.stmt()) : null;
    }

    /** The fields of a request object {@link #simpleRequestFields} reads; {@code streamId} and {@code stmt} null when absent. */
    record SimpleRequest(String type, Integer streamId, Stmt stmt) {
    }

    /**
     * A request object of a {@code type}, an optional {@code stream_id} (a 32-bit integer: WebSocket requests
     * have one) and an optional {@code stmt} {@link #simpleStmt} reads, the parser on its START_OBJECT, for
     * the one-pass reads of HTTP pipelines and WebSocket messages; null for any other field, a duplicate key,
     * a value of another kind or no {@code type}.
     */
    static SimpleRequest simpleRequestFields(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String type = null;
        Integer streamId = null;
        Stmt stmt = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("type".equals(field) && type == null && value == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else if ("stream_id".equals(field) && streamId == null && int32(p)) {
                streamId = p.getIntValue();
            } else if ("stmt".equals(field) && stmt == null && value == JsonToken.START_OBJECT) {
                // a stmt it cannot read ends the read below, so one read is never read again
                stmt = simpleStmt(p);
                if (stmt == null) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return type == null ? null : new SimpleRequest(type, streamId, stmt);
    }

    /** Whether the parser's current value is a JSON integer that fits 32 bits. */
    static boolean int32(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT;
    }

    /**
     * A statement of SQL text with positional arguments of the common types ({@link #simpleValue}) or none, the
     * parser on its START_OBJECT; null for anything else.
     */
    static Stmt simpleStmt(JsonParser p) throws IOException {
        String sql = null;
        int seen = 0;
        boolean wantRows = true;
        List<Object> args = List.of();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            int bit;
            if ("sql".equals(field) && value == JsonToken.VALUE_STRING) {
                bit = 1;
                sql = p.getText();
            } else if ("args".equals(field) && value == JsonToken.START_ARRAY) {
                bit = 2;
                args = new ArrayList<>(4);
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    Object arg = simpleValue(p);
                    if (arg == NOT_SIMPLE) {
                        return null;
                    }
                    args.add(arg);
                }
            } else if (("args".equals(field) || "named_args".equals(field)) && (value == JsonToken.VALUE_NULL
                    || value == JsonToken.START_ARRAY && p.nextToken() == JsonToken.END_ARRAY)) {
                bit = "args".equals(field) ? 2 : 4;
            } else if ("want_rows".equals(field) && (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE
                    || value == JsonToken.VALUE_NULL)) {
                bit = 8;
                wantRows = value != JsonToken.VALUE_FALSE;
            } else {
                return null;
            }
            if ((seen & bit) != 0) {
                return null; // a duplicate key: the tree parser decides which one counts
            }
            seen |= bit;
        }
        return sql == null ? null : new Stmt(sql, null, args, List.of(), wantRows);
    }

    /** {@link #simpleValue}: a value the streaming parse leaves to the tree parser (which also words its errors). */
    private static final Object NOT_SIMPLE = new Object();

    /**
     * A value {@code {"type":"null"}}, {@code {"type":"integer","value":"<digits>"}} or {@code {"type":"text",
     * "value":"..."}}, its fields in any order, the parser on its START_OBJECT: what {@link ValueCodec#decode}
     * makes of it; {@link #NOT_SIMPLE} for anything else, invalid values and duplicate fields included.
     */
    private static Object simpleValue(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return NOT_SIMPLE;
        }
        String type = null;
        String value = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken token = p.nextToken();
            if ("type".equals(field) && type == null && token == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else if ("value".equals(field) && value == null && token == JsonToken.VALUE_STRING) {
                value = p.getText();
            } else {
                return NOT_SIMPLE;
            }
        }
        if ("null".equals(type) && value == null) {
            return null;
        }
        if ("text".equals(type) && value != null) {
            return value;
        }
        if ("integer".equals(type) && value != null) {
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                return NOT_SIMPLE;
            }
        }
        return NOT_SIMPLE;
    }

    /** The {@code baton} of a pipeline or cursor body (null opens a new stream). */
    static String baton(JsonNode root) {
        return optString(root, "baton", "baton");
    }

    /** The requests of a pipeline body. */
    List<StreamRequest> requests(JsonNode root) {
        JsonNode reqs = root.get("requests");
        if (reqs == null || !reqs.isArray()) {
            throw ProtocolException.badRequest("Field 'requests' must be an array");
        }
        List<StreamRequest> out = new ArrayList<>(reqs.size());
        for (int i = 0; i < reqs.size(); i++) {
            out.add(streamRequest(reqs.get(i), "requests[" + i + "]"));
        }
        return out;
    }

    /** The batch of a cursor body. */
    Batch cursorBatch(JsonNode root) {
        return batch(required(root, "batch", "batch"), "batch");
    }

    private StreamRequest streamRequest(JsonNode n, String at) {
        requireObject(n, at);
        String type = requiredString(n, "type", at + ".type");
        return switch (type) {
            case "close" -> new Hrana.CloseReq();
            case "execute" -> new Hrana.ExecuteReq(stmt(required(n, "stmt", at + ".stmt"), at + ".stmt"));
            case "batch" -> new Hrana.BatchReq(batch(required(n, "batch", at + ".batch"), at + ".batch"));
            case "sequence" -> {
                SqlRef ref = sqlRef(n, at);
                yield new Hrana.SequenceReq(ref.sql, ref.sqlId);
            }
            case "describe" -> {
                SqlRef ref = sqlRef(n, at);
                yield new Hrana.DescribeReq(ref.sql, ref.sqlId);
            }
            case "store_sql" -> new Hrana.StoreSqlReq(requiredInt32(n, "sql_id", at + ".sql_id"),
                    requiredString(n, "sql", at + ".sql"));
            case "close_sql" -> new Hrana.CloseSqlReq(requiredInt32(n, "sql_id", at + ".sql_id"));
            case "get_autocommit" -> {
                if (version == Version.V2) {
                    throw ProtocolException.badRequest(at + ": request type 'get_autocommit' needs Hrana 3 (/v3/pipeline)");
                }
                yield new Hrana.GetAutocommitReq();
            }
            default -> throw ProtocolException.badRequest(at + ": unknown request type " + shorten(type));
        };
    }

    private record SqlRef(String sql, Integer sqlId) {
    }

    private static SqlRef sqlRef(JsonNode n, String at) {
        String sql = optString(n, "sql", at + ".sql");
        Integer sqlId = optInt32(n, "sql_id", at + ".sql_id");
        if ((sql == null) == (sqlId == null)) {
            throw ProtocolException.badRequest(at + ": exactly one of 'sql' and 'sql_id' must be given");
        }
        return new SqlRef(sql, sqlId);
    }

    Stmt stmt(JsonNode n, String at) {
        requireObject(n, at);
        SqlRef ref = sqlRef(n, at);
        List<Object> args = List.of();
        JsonNode argsNode = n.get("args");
        if (argsNode != null && !argsNode.isNull()) {
            if (!argsNode.isArray()) {
                throw ProtocolException.badRequest(at + ".args must be an array");
            }
            args = new ArrayList<>(argsNode.size());
            for (int i = 0; i < argsNode.size(); i++) {
                args.add(value(argsNode.get(i), at + ".args[" + i + "]"));
            }
        }
        List<NamedArg> named = List.of();
        JsonNode namedNode = n.get("named_args");
        if (namedNode != null && !namedNode.isNull()) {
            if (!namedNode.isArray()) {
                throw ProtocolException.badRequest(at + ".named_args must be an array");
            }
            named = new ArrayList<>(namedNode.size());
            for (int i = 0; i < namedNode.size(); i++) {
                String where = at + ".named_args[" + i + "]";
                JsonNode a = namedNode.get(i);
                requireObject(a, where);
                named.add(new NamedArg(requiredString(a, "name", where + ".name"), value(required(a, "value", where + ".value"), where + ".value")));
            }
        }
        boolean wantRows = true;
        JsonNode wr = n.get("want_rows");
        if (wr != null && !wr.isNull()) {
            if (!wr.isBoolean()) {
                throw ProtocolException.badRequest(at + ".want_rows must be a boolean");
            }
            wantRows = wr.booleanValue();
        }
        return new Stmt(ref.sql, ref.sqlId, args, named, wantRows);
    }

    private static Object value(JsonNode n, String at) {
        try {
            return ValueCodec.decode(n);
        } catch (IllegalArgumentException e) {
            throw ProtocolException.badRequest(at + ": " + e.getMessage());
        }
    }

    Batch batch(JsonNode n, String at) {
        requireObject(n, at);
        JsonNode steps = n.get("steps");
        if (steps == null || !steps.isArray()) {
            throw ProtocolException.badRequest(at + ".steps must be an array");
        }
        List<BatchStep> out = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            String where = at + ".steps[" + i + "]";
            JsonNode s = steps.get(i);
            requireObject(s, where);
            JsonNode c = s.get("condition");
            Cond cond = c == null || c.isNull() ? null : cond(c, where + ".condition", i, 0);
            out.add(new BatchStep(cond, stmt(required(s, "stmt", where + ".stmt"), where + ".stmt")));
        }
        return new Batch(out);
    }

    private Cond cond(JsonNode n, String at, int currentStep, int depth) {
        if (depth > MAX_NESTING) {
            throw ProtocolException.badRequest(at + ": conditions nest too deeply");
        }
        requireObject(n, at);
        String type = requiredString(n, "type", at + ".type");
        return switch (type) {
            case "ok" -> new OkCond(stepRef(n, at, currentStep));
            case "error" -> new ErrorCond(stepRef(n, at, currentStep));
            case "not" -> new NotCond(cond(required(n, "cond", at + ".cond"), at + ".cond", currentStep, depth + 1));
            case "and", "or" -> {
                JsonNode conds = n.get("conds");
                if (conds == null || !conds.isArray()) {
                    throw ProtocolException.badRequest(at + ".conds must be an array");
                }
                List<Cond> list = new ArrayList<>(conds.size());
                for (int i = 0; i < conds.size(); i++) {
                    list.add(cond(conds.get(i), at + ".conds[" + i + "]", currentStep, depth + 1));
                }
                yield type.equals("and") ? new AndCond(list) : new OrCond(list);
            }
            case "is_autocommit" -> {
                if (version == Version.V2) {
                    throw ProtocolException.badRequest(at + ": condition 'is_autocommit' needs Hrana 3 (/v3)");
                }
                yield new IsAutocommitCond();
            }
            default -> throw ProtocolException.badRequest(at + ": unknown condition type " + shorten(type));
        };
    }

    private static int stepRef(JsonNode n, String at, int currentStep) {
        int step = requiredInt32(n, "step", at + ".step");
        if (step < 0 || step >= currentStep) {
            throw ProtocolException.badRequest(at + ".step must refer to an earlier step (0.." + (currentStep - 1) + "), got " + step);
        }
        return step;
    }

    private static JsonNode required(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw ProtocolException.badRequest("Missing field '" + at + "'");
        }
        return v;
    }

    private static void requireObject(JsonNode n, String at) {
        if (n == null || !n.isObject()) {
            throw ProtocolException.badRequest(at + " must be a JSON object");
        }
    }

    private static String requiredString(JsonNode n, String field, String at) {
        JsonNode v = required(n, field, at);
        if (!v.isTextual()) {
            throw ProtocolException.badRequest(at + " must be a string");
        }
        return v.textValue();
    }

    private static String optString(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ProtocolException.badRequest(at + " must be a string or null");
        }
        return v.textValue();
    }

    private static int requiredInt32(JsonNode n, String field, String at) {
        Integer v = optInt32(n, field, at);
        if (v == null) {
            throw ProtocolException.badRequest("Missing field '" + at + "'");
        }
        return v;
    }

    private static Integer optInt32(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ProtocolException.badRequest(at + " must be a 32-bit integer");
        }
        return v.intValue();
    }

    static String shorten(String s) {
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'";
    }
}
