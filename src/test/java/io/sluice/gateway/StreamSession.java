package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaJson.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Hrana stream driven across HTTP requests, carrying the baton from each response to the next
 * request. Closing it (also after a failed assertion, via try-with-resources) sends {@code close}, so a
 * test never leaves a transaction holding SQLite's write lock for the tests after it.
 */
final class StreamSession implements AutoCloseable {
    private final String path;
    private String baton;
    private boolean started;

    StreamSession(String path) {
        this.path = path;
    }

    /** Sends the requests with the current baton, asserts HTTP 200, keeps the new baton, returns {@code results}. */
    JsonNode send(JsonNode... requests) {
        JsonNode body = pipelineOk(path, baton, requests);
        started = true;
        baton = body.get("baton").isNull() ? null : body.get("baton").asText();
        return body.get("results");
    }

    String baton() {
        return baton;
    }

    /** Adopts a baton obtained elsewhere (e.g. from a cursor header). */
    void baton(String b) {
        this.baton = b;
        this.started = true;
    }

    boolean isOpen() {
        return !started || baton != null;
    }

    @Override
    public void close() {
        if (started && baton != null) {
            post(path, pipeline(baton, HranaJson.close()));
            baton = null;
        }
    }
}
