package io.sluice.gateway;

import com.google.protobuf.UnsafeByteOperations;
import io.sluice.gateway.RequestRunner.Autocommit;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Described;
import io.sluice.gateway.RequestRunner.Empty;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.gateway.RequestRunner.Result;
import io.sluice.gateway.proto.HranaHttpProto;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.sql.Column;
import io.sluice.sql.DescribeResult;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import java.util.List;

/**
 * Builds Hrana Protobuf messages from the same result objects {@link HranaJsonWriter} writes as JSON: one
 * engine, two encodings. Where JSON needs a workaround, Protobuf says it directly: integers are 64-bit
 * {@code sint64} (no decimal strings), blobs are raw bytes (no base64), and a float that is NaN or infinite
 * stays a float.
 */
final class ProtobufResponses {
    private ProtobufResponses() {
    }

    static HranaHttpProto.PipelineRespBody pipeline(String baton, List<Result> results) {
        HranaHttpProto.PipelineRespBody.Builder b = HranaHttpProto.PipelineRespBody.newBuilder();
        if (baton != null) {
            b.setBaton(baton);
        }
        for (Result r : results) {
            HranaHttpProto.StreamResult.Builder sr = HranaHttpProto.StreamResult.newBuilder();
            if (r.error() != null) {
                sr.setError(error(r.error()));
            } else {
                sr.setOk(streamResponse(r.type(), r.response()));
            }
            b.addResults(sr);
        }
        return b.build();
    }

    /** The response member of the request's own type (the response echoes the request's type). */
    static HranaHttpProto.StreamResponse streamResponse(String type, Response response) {
        HranaHttpProto.StreamResponse.Builder b = HranaHttpProto.StreamResponse.newBuilder();
        switch (type) {
            case "close" -> b.setClose(HranaHttpProto.CloseStreamResp.getDefaultInstance());
            case "execute" -> b.setExecute(HranaHttpProto.ExecuteStreamResp.newBuilder()
                    .setResult(stmtResult(((Executed) response).result())));
            case "batch" -> b.setBatch(HranaHttpProto.BatchStreamResp.newBuilder().setResult(batchResult((Batched) response)));
            case "sequence" -> b.setSequence(HranaHttpProto.SequenceStreamResp.getDefaultInstance());
            case "describe" -> b.setDescribe(HranaHttpProto.DescribeStreamResp.newBuilder()
                    .setResult(describeResult(((Described) response).result())));
            case "store_sql" -> b.setStoreSql(HranaHttpProto.StoreSqlStreamResp.getDefaultInstance());
            case "close_sql" -> b.setCloseSql(HranaHttpProto.CloseSqlStreamResp.getDefaultInstance());
            case "get_autocommit" -> b.setGetAutocommit(HranaHttpProto.GetAutocommitStreamResp.newBuilder()
                    .setIsAutocommit(((Autocommit) response).isAutocommit()));
            default -> throw new IllegalArgumentException("no Protobuf response for request type " + type
                    + (response instanceof Empty ? "" : " (" + response + ")"));
        }
        return b.build();
    }

    static HranaProto.BatchResult batchResult(Batched batched) {
        HranaProto.BatchResult.Builder b = HranaProto.BatchResult.newBuilder();
        StmtResult[] results = batched.results();
        StatementException[] errors = batched.errors();
        for (int i = 0; i < results.length; i++) {
            if (results[i] != null) {
                b.putStepResults(i, stmtResult(results[i]));
            }
            if (errors[i] != null) {
                b.putStepErrors(i, error(errors[i]));
            }
        }
        return b.build();
    }

    static HranaProto.StmtResult stmtResult(StmtResult r) {
        HranaProto.StmtResult.Builder b = HranaProto.StmtResult.newBuilder();
        for (Column c : r.columns()) {
            b.addCols(col(c));
        }
        for (Object[] row : r.rows()) {
            b.addRows(row(row));
        }
        b.setAffectedRowCount(r.affectedRowCount());
        if (r.lastInsertRowid() != null) {
            b.setLastInsertRowid(r.lastInsertRowid());
        }
        return b.build();
    }

    static HranaProto.DescribeResult describeResult(DescribeResult d) {
        HranaProto.DescribeResult.Builder b = HranaProto.DescribeResult.newBuilder();
        for (String name : d.params()) {
            HranaProto.DescribeParam.Builder p = HranaProto.DescribeParam.newBuilder();
            if (name != null) {
                p.setName(name);
            }
            b.addParams(p);
        }
        for (Column c : d.columns()) {
            HranaProto.DescribeCol.Builder col = HranaProto.DescribeCol.newBuilder();
            if (c.name() != null) {
                col.setName(c.name());
            }
            if (c.decltype() != null) {
                col.setDecltype(c.decltype());
            }
            b.addCols(col);
        }
        return b.setIsExplain(d.isExplain()).setIsReadonly(d.isReadonly()).build();
    }

    static HranaProto.Col col(Column c) {
        HranaProto.Col.Builder b = HranaProto.Col.newBuilder();
        if (c.name() != null) {
            b.setName(c.name());
        }
        if (c.decltype() != null) {
            b.setDecltype(c.decltype());
        }
        return b.build();
    }

    static HranaProto.Row row(Object[] values) {
        HranaProto.Row.Builder b = HranaProto.Row.newBuilder();
        for (Object v : values) {
            b.addValues(value(v));
        }
        return b.build();
    }

    private static final HranaProto.Value NULL = HranaProto.Value.newBuilder()
            .setNull(HranaProto.Value.Null.getDefaultInstance()).build();

    /** One value; the result objects hold only null, Long, Double, String and byte[]. */
    static HranaProto.Value value(Object v) {
        if (v == null) {
            return NULL;
        }
        HranaProto.Value.Builder b = HranaProto.Value.newBuilder();
        if (v instanceof Long l) {
            b.setInteger(l);
        } else if (v instanceof Double d) {
            b.setFloat(d);
        } else if (v instanceof String s) {
            b.setText(s);
        } else if (v instanceof byte[] bytes) {
            // the row array is never touched again once the result is built, so no copy is needed
            b.setBlob(UnsafeByteOperations.unsafeWrap(bytes));
        } else {
            throw new IllegalArgumentException("not a Hrana value: " + v.getClass().getName());
        }
        return b.build();
    }

    static HranaProto.Error error(StatementException e) {
        return error(e.getMessage(), e.code());
    }

    static HranaProto.Error error(String message, String code) {
        HranaProto.Error.Builder b = HranaProto.Error.newBuilder().setMessage(message == null ? "" : message);
        if (code != null) {
            b.setCode(code);
        }
        return b.build();
    }

    static HranaProto.CursorEntry stepBegin(int step, List<Column> cols) {
        HranaProto.StepBeginEntry.Builder b = HranaProto.StepBeginEntry.newBuilder().setStep(step);
        for (Column c : cols) {
            b.addCols(col(c));
        }
        return HranaProto.CursorEntry.newBuilder().setStepBegin(b).build();
    }

    static HranaProto.CursorEntry rowEntry(Object[] values) {
        return HranaProto.CursorEntry.newBuilder().setRow(row(values)).build();
    }

    static HranaProto.CursorEntry stepEnd(long affectedRowCount, Long lastInsertRowid) {
        HranaProto.StepEndEntry.Builder b = HranaProto.StepEndEntry.newBuilder().setAffectedRowCount(affectedRowCount);
        if (lastInsertRowid != null) {
            b.setLastInsertRowid(lastInsertRowid);
        }
        return HranaProto.CursorEntry.newBuilder().setStepEnd(b).build();
    }

    static HranaProto.CursorEntry stepError(int step, StatementException e) {
        return HranaProto.CursorEntry.newBuilder()
                .setStepError(HranaProto.StepErrorEntry.newBuilder().setStep(step).setError(error(e))).build();
    }

    static HranaProto.CursorEntry errorEntry(StatementException e) {
        return HranaProto.CursorEntry.newBuilder().setError(error(e)).build();
    }
}
