package io.sluice.gateway;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.quarkus.runtime.annotations.RegisterForReflection;
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
import io.sluice.gateway.proto.HranaHttpProto;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.sql.ArgumentBinder.NamedArg;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps Hrana Protobuf messages (generated from {@code src/main/proto}) onto the {@link Hrana} request
 * model the JSON {@link RequestParser} produces, with the same rules and the same 400s: exactly one of
 * {@code sql}/{@code sql_id}, a set oneof in every request, condition and value, conditions that refer to
 * earlier steps and nest at most {@link RequestParser#MAX_NESTING} deep. Unknown fields are ignored, as the
 * spec requires.
 *
 * <p>Bytes are parsed with a bounded recursion depth (a message nested deeper than any valid request is
 * refused before the mapping starts), and a declared length larger than what is left of the body is
 * refused by the parser without allocating it: the body itself was bounded before it was read.
 *
 * <p>For the native image the generated classes (and their nested messages) are registered for reflection:
 * parsing and writing, generated for speed, need none, but protobuf-java's descriptor-based API (text form,
 * field accessors) finds methods by name, and a native binary must not fail where the JVM works.
 */
@RegisterForReflection(targets = {HranaProto.class, HranaHttpProto.class, io.sluice.gateway.proto.HranaWsProto.class})
final class ProtobufRequests {
    /**
     * Message nesting the parser accepts: a pipeline reaches a condition through 5 levels, and each condition
     * level costs at most 2 (a list, then a condition), so this admits exactly what the mapping admits.
     */
    static final int MAX_MESSAGE_DEPTH = RequestParser.MAX_NESTING * 2 + 16;

    private ProtobufRequests() {
    }

    /** Parses a {@code PipelineReqBody}; malformed bytes are a {@link ProtocolException} (400). */
    static HranaHttpProto.PipelineReqBody pipelineBody(byte[] body) {
        return parse(HranaHttpProto.PipelineReqBody.parser(), body, "PipelineReqBody");
    }

    /** Parses a {@code CursorReqBody}; malformed bytes are a {@link ProtocolException} (400). */
    static HranaHttpProto.CursorReqBody cursorBody(byte[] body) {
        return parse(HranaHttpProto.CursorReqBody.parser(), body, "CursorReqBody");
    }

    /** Parses any message of the schema with the same bounds (the WebSocket codec uses it too). */
    static <T> T parse(Parser<T> parser, byte[] bytes, String what) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.setRecursionLimit(MAX_MESSAGE_DEPTH);
        try {
            T message = parser.parseFrom(in);
            in.checkLastTagWas(0);
            return message;
        } catch (InvalidProtocolBufferException e) {
            throw ProtocolException.badRequest("Malformed Protobuf " + what + ": " + describe(e));
        }
    }

    /** The parser's reason in a few words, never the bytes it choked on. */
    private static String describe(InvalidProtocolBufferException e) {
        String m = e.getMessage();
        if (m == null) {
            return "invalid message";
        }
        int stop = m.indexOf(". ");
        return stop > 0 ? m.substring(0, stop) : (m.length() > 160 ? m.substring(0, 160) + "…" : m);
    }

    /** The requests of a pipeline body (Hrana 3: Protobuf exists only in version 3). */
    static List<StreamRequest> requests(HranaHttpProto.PipelineReqBody body) {
        List<StreamRequest> out = new ArrayList<>(body.getRequestsCount());
        for (int i = 0; i < body.getRequestsCount(); i++) {
            out.add(streamRequest(body.getRequests(i), "requests[" + i + "]"));
        }
        return out;
    }

    /** The batch of a cursor body. */
    static Batch cursorBatch(HranaHttpProto.CursorReqBody body) {
        if (!body.hasBatch()) {
            throw ProtocolException.badRequest("Missing field 'batch'");
        }
        return batch(body.getBatch(), "batch");
    }

    static StreamRequest streamRequest(HranaHttpProto.StreamRequest r, String at) {
        return switch (r.getRequestCase()) {
            case CLOSE -> new Hrana.CloseReq();
            case EXECUTE -> {
                if (!r.getExecute().hasStmt()) {
                    throw ProtocolException.badRequest("Missing field '" + at + ".stmt'");
                }
                yield new Hrana.ExecuteReq(stmt(r.getExecute().getStmt(), at + ".stmt"));
            }
            case BATCH -> {
                if (!r.getBatch().hasBatch()) {
                    throw ProtocolException.badRequest("Missing field '" + at + ".batch'");
                }
                yield new Hrana.BatchReq(batch(r.getBatch().getBatch(), at + ".batch"));
            }
            case SEQUENCE -> {
                HranaHttpProto.SequenceStreamReq q = r.getSequence();
                requireOneSql(q.hasSql(), q.hasSqlId(), at);
                yield new Hrana.SequenceReq(q.hasSql() ? q.getSql() : null, q.hasSqlId() ? q.getSqlId() : null);
            }
            case DESCRIBE -> {
                HranaHttpProto.DescribeStreamReq d = r.getDescribe();
                requireOneSql(d.hasSql(), d.hasSqlId(), at);
                yield new Hrana.DescribeReq(d.hasSql() ? d.getSql() : null, d.hasSqlId() ? d.getSqlId() : null);
            }
            case STORE_SQL -> new Hrana.StoreSqlReq(r.getStoreSql().getSqlId(), r.getStoreSql().getSql());
            case CLOSE_SQL -> new Hrana.CloseSqlReq(r.getCloseSql().getSqlId());
            case GET_AUTOCOMMIT -> new Hrana.GetAutocommitReq();
            case REQUEST_NOT_SET -> throw ProtocolException.badRequest(at + ": the request type is missing or unknown");
        };
    }

    private static void requireOneSql(boolean hasSql, boolean hasSqlId, String at) {
        if (hasSql == hasSqlId) {
            throw ProtocolException.badRequest(at + ": exactly one of 'sql' and 'sql_id' must be given");
        }
    }

    static Stmt stmt(HranaProto.Stmt s, String at) {
        requireOneSql(s.hasSql(), s.hasSqlId(), at);
        List<Object> args = List.of();
        if (s.getArgsCount() > 0) {
            args = new ArrayList<>(s.getArgsCount());
            for (int i = 0; i < s.getArgsCount(); i++) {
                args.add(value(s.getArgs(i), at + ".args[" + i + "]"));
            }
        }
        List<NamedArg> named = List.of();
        if (s.getNamedArgsCount() > 0) {
            named = new ArrayList<>(s.getNamedArgsCount());
            for (int i = 0; i < s.getNamedArgsCount(); i++) {
                HranaProto.NamedArg a = s.getNamedArgs(i);
                String where = at + ".named_args[" + i + "]";
                if (!a.hasValue()) {
                    throw ProtocolException.badRequest("Missing field '" + where + ".value'");
                }
                named.add(new NamedArg(a.getName(), value(a.getValue(), where + ".value")));
            }
        }
        boolean wantRows = !s.hasWantRows() || s.getWantRows();
        return new Stmt(s.hasSql() ? s.getSql() : null, s.hasSqlId() ? s.getSqlId() : null, args, named, wantRows);
    }

    /** A value as the JSON codec decodes it: null, Long, Double, String or byte[]. */
    static Object value(HranaProto.Value v, String at) {
        return switch (v.getValueCase()) {
            case NULL -> null;
            case INTEGER -> v.getInteger();
            case FLOAT -> v.getFloat();
            case TEXT -> v.getText();
            case BLOB -> v.getBlob().toByteArray();
            case VALUE_NOT_SET -> throw ProtocolException.badRequest(at + ": a value needs a type (none of null, integer, float, text, blob is set)");
        };
    }

    static Batch batch(HranaProto.Batch b, String at) {
        List<BatchStep> out = new ArrayList<>(b.getStepsCount());
        for (int i = 0; i < b.getStepsCount(); i++) {
            String where = at + ".steps[" + i + "]";
            HranaProto.BatchStep s = b.getSteps(i);
            if (!s.hasStmt()) {
                throw ProtocolException.badRequest("Missing field '" + where + ".stmt'");
            }
            Cond cond = s.hasCondition() ? cond(s.getCondition(), where + ".condition", i, 0) : null;
            out.add(new BatchStep(cond, stmt(s.getStmt(), where + ".stmt")));
        }
        return new Batch(out);
    }

    private static Cond cond(HranaProto.BatchCond c, String at, int currentStep, int depth) {
        if (depth > RequestParser.MAX_NESTING) {
            throw ProtocolException.badRequest(at + ": conditions nest too deeply");
        }
        return switch (c.getCondCase()) {
            case STEP_OK -> new OkCond(stepRef(c.getStepOk(), at, currentStep));
            case STEP_ERROR -> new ErrorCond(stepRef(c.getStepError(), at, currentStep));
            case NOT -> new NotCond(cond(c.getNot(), at + ".not", currentStep, depth + 1));
            case AND -> new AndCond(conds(c.getAnd(), at + ".and", currentStep, depth));
            case OR -> new OrCond(conds(c.getOr(), at + ".or", currentStep, depth));
            case IS_AUTOCOMMIT -> new IsAutocommitCond();
            case COND_NOT_SET -> throw ProtocolException.badRequest(at + ": the condition type is missing or unknown");
        };
    }

    private static List<Cond> conds(HranaProto.BatchCond.CondList list, String at, int currentStep, int depth) {
        List<Cond> out = new ArrayList<>(list.getCondsCount());
        for (int i = 0; i < list.getCondsCount(); i++) {
            out.add(cond(list.getConds(i), at + "[" + i + "]", currentStep, depth + 1));
        }
        return out;
    }

    /** A step index (uint32 on the wire, so read as unsigned) that must name an earlier step. */
    private static int stepRef(int raw, String at, int currentStep) {
        long step = Integer.toUnsignedLong(raw);
        if (step >= currentStep) {
            throw ProtocolException.badRequest(at + ".step must refer to an earlier step (0.." + (currentStep - 1) + "), got " + step);
        }
        return (int) step;
    }
}
