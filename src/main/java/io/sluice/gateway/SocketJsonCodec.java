package io.sluice.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.gateway.Hrana.Version;
import io.sluice.gateway.SocketMessages.ClientMsg;
import io.sluice.gateway.SocketMessages.CloseCursor;
import io.sluice.gateway.SocketMessages.CloseSql;
import io.sluice.gateway.SocketMessages.CloseStream;
import io.sluice.gateway.SocketMessages.FetchCursor;
import io.sluice.gateway.SocketMessages.Hello;
import io.sluice.gateway.SocketMessages.OnStream;
import io.sluice.gateway.SocketMessages.OpenCursor;
import io.sluice.gateway.SocketMessages.OpenStream;
import io.sluice.gateway.SocketMessages.Request;
import io.sluice.gateway.SocketMessages.ServerMsg;
import io.sluice.gateway.SocketMessages.SocketRequest;
import io.sluice.gateway.SocketMessages.StoreSql;
import java.io.IOException;

/**
 * The JSON encoding of Hrana over WebSocket ({@code hrana1}, {@code hrana2}, {@code hrana3}). Statements
 * and batches are parsed by the same {@link RequestParser} as HTTP pipelines, and messages written by the
 * same {@link HranaJsonWriter} as HTTP pipeline responses. A message of the wrong shape closes
 * the connection with 1007; a request the negotiated version lacks closes it with 1008.
 */
final class SocketJsonCodec implements SocketCodec {
    private final String subprotocol;
    private final int version;
    private final RequestParser parser;

    SocketJsonCodec(String subprotocol, int version) {
        this.subprotocol = subprotocol;
        this.version = version;
        // Hrana 1 and 2 share the Hrana 2 statement and batch syntax (no is_autocommit condition)
        this.parser = new RequestParser(version >= 3 ? Version.V3 : Version.V2);
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public boolean binary() {
        return false;
    }

    @Override
    public ClientMsg decode(byte[] message) {
        ClientMsg common = common(message);
        return common != null ? common : fromTree(message);
    }

    /** Any message, read from its JSON tree. */
    ClientMsg fromTree(byte[] message) {
        JsonNode root;
        try {
            root = RequestParser.readTree(message);
        } catch (ProtocolException e) {
            throw SocketClose.invalid(e.getMessage());
        }
        String type = string(root, "type", "type");
        try {
            return switch (type) {
                case "hello" -> new Hello(optString(root, "jwt", "jwt"));
                case "request" -> new Request(int32(root, "request_id", "request_id"), request(object(root, "request", "request")));
                default -> throw SocketClose.invalid("Unknown message type " + RequestParser.shorten(type));
            };
        } catch (ProtocolException e) {
            // the statement and batch parser's complaints: the message does not have the protocol's shape
            throw SocketClose.invalid(e.getMessage());
        }
    }

    /**
     * The requests a client sends for every statement ({@code open_stream}, {@code execute} of a statement
     * {@link RequestParser#simpleStmt} reads, {@code close_stream}), read in one streaming pass without building
     * a tree, as {@link RequestParser#simplePipeline} reads an HTTP pipeline; null for any other message, valid
     * or not (another request or field, a duplicate key, a number that is not a 32-bit integer, malformed
     * JSON), which {@link #decode} then reads from the tree with its errors: this changes what the common
     * messages cost and nothing else.
     */
    static ClientMsg common(byte[] message) {
        try (JsonParser p = RequestParser.streaming(message)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            boolean typed = false;
            Integer requestId = null;
            SocketRequest request = null;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("type".equals(field) && !typed && value == JsonToken.VALUE_STRING && "request".equals(p.getText())) {
                    typed = true;
                } else if ("request_id".equals(field) && requestId == null && RequestParser.int32(p)) {
                    requestId = p.getIntValue();
                } else if ("request".equals(field) && request == null && value == JsonToken.START_OBJECT) {
                    request = commonRequest(p);
                    if (request == null) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            return typed && requestId != null && request != null && p.nextToken() == null ? new Request(requestId, request) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The {@code request} of {@link #common}, the parser on its START_OBJECT; null for any other. */
    private static SocketRequest commonRequest(JsonParser p) throws IOException {
        RequestParser.SimpleRequest r = RequestParser.simpleRequestFields(p);
        if (r == null || r.streamId() == null) {
            return null;
        }
        return switch (r.type()) {
            case "open_stream" -> r.stmt() != null ? null : new OpenStream(r.streamId());
            case "close_stream" -> r.stmt() != null ? null : new CloseStream(r.streamId());
            case "execute" -> r.stmt() == null ? null : new OnStream(r.streamId(), new Hrana.ExecuteReq(r.stmt()));
            default -> null;
        };
    }

    private SocketRequest request(JsonNode r) {
        String type = string(r, "type", "request.type");
        return switch (type) {
            case "open_stream" -> new OpenStream(int32(r, "stream_id", "request.stream_id"));
            case "close_stream" -> new CloseStream(int32(r, "stream_id", "request.stream_id"));
            case "execute" -> new OnStream(int32(r, "stream_id", "request.stream_id"),
                    new Hrana.ExecuteReq(parser.stmt(object(r, "stmt", "request.stmt"), "request.stmt")));
            case "batch" -> new OnStream(int32(r, "stream_id", "request.stream_id"),
                    new Hrana.BatchReq(parser.batch(object(r, "batch", "request.batch"), "request.batch")));
            case "sequence" -> {
                needs(2, type);
                Integer sqlId = optInt32(r, "sql_id", "request.sql_id");
                String sql = sqlOrId(r, sqlId);
                yield new OnStream(int32(r, "stream_id", "request.stream_id"), new Hrana.SequenceReq(sql, sqlId));
            }
            case "describe" -> {
                needs(2, type);
                Integer sqlId = optInt32(r, "sql_id", "request.sql_id");
                String sql = sqlOrId(r, sqlId);
                yield new OnStream(int32(r, "stream_id", "request.stream_id"), new Hrana.DescribeReq(sql, sqlId));
            }
            case "store_sql" -> {
                needs(2, type);
                yield new StoreSql(int32(r, "sql_id", "request.sql_id"), string(r, "sql", "request.sql"));
            }
            case "close_sql" -> {
                needs(2, type);
                yield new CloseSql(int32(r, "sql_id", "request.sql_id"));
            }
            case "get_autocommit" -> {
                needs(3, type);
                yield new OnStream(int32(r, "stream_id", "request.stream_id"), new Hrana.GetAutocommitReq());
            }
            case "open_cursor" -> {
                needs(3, type);
                yield new OpenCursor(int32(r, "stream_id", "request.stream_id"), int32(r, "cursor_id", "request.cursor_id"),
                        parser.batch(object(r, "batch", "request.batch"), "request.batch"));
            }
            case "fetch_cursor" -> {
                needs(3, type);
                yield new FetchCursor(int32(r, "cursor_id", "request.cursor_id"), uint32(r, "max_count", "request.max_count"));
            }
            case "close_cursor" -> {
                needs(3, type);
                yield new CloseCursor(int32(r, "cursor_id", "request.cursor_id"));
            }
            default -> throw SocketClose.invalid("Unknown request type " + RequestParser.shorten(type));
        };
    }

    private void needs(int minVersion, String type) {
        if (version < minVersion) {
            throw SocketClose.policy("The '" + type + "' request needs Hrana " + minVersion + " (subprotocol hrana" + minVersion
                    + " or later); this connection speaks " + subprotocol);
        }
    }

    private static String sqlOrId(JsonNode r, Integer sqlId) {
        String sql = optString(r, "sql", "request.sql");
        if ((sql == null) == (sqlId == null)) {
            throw SocketClose.invalid("request: exactly one of 'sql' and 'sql_id' must be given");
        }
        return sql;
    }

    private static JsonNode object(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || !v.isObject()) {
            throw SocketClose.invalid("Field '" + at + "' must be a JSON object");
        }
        return v;
    }

    private static String string(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw SocketClose.invalid("Field '" + at + "' must be a string");
        }
        return v.textValue();
    }

    private static String optString(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw SocketClose.invalid("Field '" + at + "' must be a string or null");
        }
        return v.textValue();
    }

    private static int int32(JsonNode n, String field, String at) {
        Integer v = optInt32(n, field, at);
        if (v == null) {
            throw SocketClose.invalid("Missing field '" + at + "'");
        }
        return v;
    }

    private static Integer optInt32(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw SocketClose.invalid("Field '" + at + "' must be a 32-bit integer");
        }
        return v.intValue();
    }

    private static int uint32(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > 0xFFFF_FFFFL) {
            throw SocketClose.invalid("Field '" + at + "' must be an unsigned 32-bit integer");
        }
        return (int) Math.min(Integer.MAX_VALUE, v.longValue());
    }

    @Override
    public Encoded encode(ServerMsg message) {
        return new Encoded(HranaJsonWriter.socketMessage(message), null);
    }
}
