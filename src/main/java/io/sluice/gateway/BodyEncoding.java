package io.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.Hrana.Version;
import io.sluice.gateway.RequestRunner.Result;
import io.sluice.gateway.proto.HranaHttpProto;
import io.sluice.metrics.SluiceMetrics.Endpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * How the bodies of one group of Hrana HTTP endpoints are encoded: JSON ({@code /v2}, {@code /v3}) or
 * Protobuf ({@code /v3-protobuf}). Only the bytes differ: every encoding decodes into the same
 * {@link Hrana} requests and writes the same result objects, which one engine ({@link HranaHandler},
 * {@link RequestRunner}) produces.
 */
abstract sealed class BodyEncoding {
    static final String PROTOBUF_TYPE = "application/x-protobuf";

    static final BodyEncoding JSON_V2 = new Json(Version.V2);
    static final BodyEncoding JSON_V3 = new Json(Version.V3);
    static final BodyEncoding PROTOBUF = new Protobuf();

    static BodyEncoding json(Version version) {
        return version == Version.V2 ? JSON_V2 : JSON_V3;
    }

    /** A request body, decoded on the I/O thread far enough to find its stream. */
    interface RequestBody {
        /** The baton, or null to open a new stream. */
        String baton();

        /** The pipeline's requests; a malformed one is a {@link ProtocolException}. */
        List<StreamRequest> requests();

        /** The cursor's batch; a malformed one is a {@link ProtocolException}. */
        Batch cursorBatch();

        /** True when the body has the shape of a pipeline at all (the inline fast path looks no further). */
        boolean isPipeline();
    }

    /**
     * A decoded body whose requests and batch are read from it only when asked for, on the thread that asks
     * (a large body's on a worker thread); the one a body does not have is refused ({@link #NO_BATCH}, {@link #NO_REQUESTS}).
     */
    private record Lazy(String baton, Supplier<List<StreamRequest>> pipeline, Supplier<Batch> cursor, boolean isPipeline)
            implements
                RequestBody {
        @Override
        public List<StreamRequest> requests() {
            return pipeline.get();
        }

        @Override
        public Batch cursorBatch() {
            return cursor.get();
        }
    }

    /** A Protobuf pipeline body's batch and a Protobuf cursor body's requests: refused, made once. */
    private static final Supplier<Batch> NO_BATCH = refused("A pipeline body has no cursor batch");
    private static final Supplier<List<StreamRequest>> NO_REQUESTS = refused("A cursor body has no pipeline requests");

    private static <T> Supplier<T> refused(String message) {
        return () -> {
            throw ProtocolException.badRequest(message);
        };
    }

    abstract Version version();

    abstract Endpoint pipelineEndpoint();

    abstract Endpoint cursorEndpoint();

    /** Decodes a pipeline body (I/O thread); undecodable bytes are a {@link ProtocolException}. */
    abstract RequestBody pipelineBody(byte[] body);

    /** Decodes a cursor body (I/O thread); undecodable bytes are a {@link ProtocolException}. */
    abstract RequestBody cursorBody(byte[] body);

    /** The {@code Content-Type} of a pipeline response. */
    abstract String contentType();

    /** The pipeline response; {@code expectedBytes} is the response budget's estimate of its size. */
    abstract Buffer pipelineResponse(String baton, List<Result> results, long expectedBytes);

    /** How cursor entries are framed in the response body. */
    abstract CursorWriter.Format cursorFormat(ByteArrayOutputStream out);

    /** Answers a failed request with the Hrana error object in the encoding this client reads. */
    abstract void respondError(RoutingContext ctx, int status, String message, String code);

    static final class Json extends BodyEncoding {
        private final Version version;
        private final RequestParser parser;

        Json(Version version) {
            this.version = version;
            this.parser = new RequestParser(version);
        }

        @Override
        Version version() {
            return version;
        }

        @Override
        Endpoint pipelineEndpoint() {
            return version == Version.V2 ? Endpoint.PIPELINE_V2 : Endpoint.PIPELINE_V3;
        }

        @Override
        Endpoint cursorEndpoint() {
            return Endpoint.CURSOR;
        }

        @Override
        RequestBody pipelineBody(byte[] body) {
            RequestParser.SimplePipeline simple = RequestParser.simplePipeline(body);
            return simple != null ? simple : body(body);
        }

        @Override
        RequestBody cursorBody(byte[] body) {
            return body(body);
        }

        private RequestBody body(byte[] bytes) {
            JsonNode root = RequestParser.readTree(bytes);
            return new Lazy(RequestParser.baton(root), () -> parser.requests(root), () -> parser.cursorBatch(root),
                    root.path("requests").isArray());
        }

        @Override
        String contentType() {
            return HranaHandler.JSON;
        }

        @Override
        Buffer pipelineResponse(String baton, List<Result> results, long expectedBytes) {
            return HranaJsonWriter.pipeline(baton, results, expectedBytes);
        }

        @Override
        CursorWriter.Format cursorFormat(ByteArrayOutputStream out) {
            return new CursorWriter.JsonLines(out);
        }

        @Override
        void respondError(RoutingContext ctx, int status, String message, String code) {
            HranaHandler.respond(ctx, status, HranaJsonWriter.errorBody(message, code));
        }
    }

    /**
     * Hrana 3 in Protobuf. Error bodies: the official clients read an error body only when it is JSON (they
     * ignore any other content type and lose the message and code), so an error is a Protobuf {@code Error}
     * when the client asks for it with {@code Accept: application/x-protobuf}, and JSON otherwise.
     */
    static final class Protobuf extends BodyEncoding {
        @Override
        Version version() {
            return Version.V3;
        }

        @Override
        Endpoint pipelineEndpoint() {
            return Endpoint.PIPELINE_V3_PROTOBUF;
        }

        @Override
        Endpoint cursorEndpoint() {
            return Endpoint.CURSOR_PROTOBUF;
        }

        @Override
        RequestBody pipelineBody(byte[] body) {
            HranaHttpProto.PipelineReqBody msg = ProtobufRequests.pipelineBody(body);
            return new Lazy(msg.hasBaton() ? msg.getBaton() : null, () -> ProtobufRequests.requests(msg),
                    NO_BATCH, true);
        }

        @Override
        RequestBody cursorBody(byte[] body) {
            HranaHttpProto.CursorReqBody msg = ProtobufRequests.cursorBody(body);
            return new Lazy(msg.hasBaton() ? msg.getBaton() : null, NO_REQUESTS,
                    () -> ProtobufRequests.cursorBatch(msg), false);
        }

        @Override
        String contentType() {
            return PROTOBUF_TYPE;
        }

        @Override
        Buffer pipelineResponse(String baton, List<Result> results, long expectedBytes) {
            return Buffer.buffer(ProtobufResponses.pipeline(baton, results).toByteArray());
        }

        @Override
        CursorWriter.Format cursorFormat(ByteArrayOutputStream out) {
            return new ProtobufCursorFormat(out);
        }

        @Override
        void respondError(RoutingContext ctx, int status, String message, String code) {
            if (acceptsProtobuf(ctx)) {
                ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, PROTOBUF_TYPE)
                        .end(Buffer.buffer(ProtobufResponses.error(message, code).toByteArray()));
            } else {
                HranaHandler.respond(ctx, status, HranaJsonWriter.errorBody(message, code));
            }
        }

        private static boolean acceptsProtobuf(RoutingContext ctx) {
            String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
            return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains(PROTOBUF_TYPE);
        }
    }
}
