package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sluice over HTTP: each worker keeps one keep-alive connection and sends the pipelines the libSQL
 * clients send ({@code /v2/pipeline}, as {@code @libsql/client} does). Request bodies are assembled from
 * constant pieces so the generator spends its CPU on I/O, not on JSON.
 */
final class HranaTarget implements Target {
    static final String PIPELINE = "/v2/pipeline";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] MESSAGE = "\"message\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BATON = "\"baton\":\"".getBytes(StandardCharsets.US_ASCII);

    private final URI base;
    private final String token;

    HranaTarget(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    @Override
    public String name() {
        return "sluice";
    }

    @Override
    public void prepare(Workload workload, int rows) throws BenchException {
        try (HttpConnection c = new HttpConnection(base, token)) {
            execute(c, "SELECT 1");
            if (workload.rowsWritten > 0) {
                execute(c, Schema.CREATE_WRITE);
            }
            if (workload.needsReadTable()) {
                execute(c, Schema.CREATE_READ);
                JsonNode count = execute(c, Schema.COUNT_READ);
                long have = count.at("/rows/0/0/value").asLong(-1);
                if (have != rows) {
                    execute(c, Schema.CLEAR_READ);
                    execute(c, Schema.fillRead(rows));
                }
            }
        }
    }

    /** Runs one statement on a fresh stream and returns its StmtResult, or fails with the user's message. */
    private JsonNode execute(HttpConnection c, String sql) throws BenchException {
        String body = "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":" + quote(sql) + "}},{\"type\":\"close\"}]}";
        HttpConnection.Response r;
        try {
            r = c.post(PIPELINE, body.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BenchException("cannot reach Sluice at " + base + ": " + describe(e), true);
        }
        if (r.status() == 401 || r.status() == 403) {
            throw new BenchException("Sluice at " + base + " refused the data API token (HTTP " + r.status()
                    + "); pass a token minted by 'sluice auth:token' with --auth-token or SLUICE_AUTH_TOKEN");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new BenchException("Sluice at " + base + " answered HTTP " + r.status() + " with a body that is not JSON");
        }
        if (r.status() != 200) {
            throw new BenchException("Sluice at " + base + " answered HTTP " + r.status() + ": " + answer.path("message").asText(""));
        }
        JsonNode first = answer.path("results").path(0);
        if (!"ok".equals(first.path("type").asText())) {
            throw new BenchException("'" + sql + "' failed on Sluice: " + first.path("error").path("message").asText("unknown error"));
        }
        return first.path("response").path("result");
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String integer(long v) {
        return "{\"type\":\"integer\",\"value\":\"" + v + "\"}";
    }

    @Override
    public Worker worker(int index, Workload workload, int rows, long runId) {
        return new HranaWorker(new HttpConnection(base, token), index, workload, rows, runId);
    }

    private static final class HranaWorker implements Worker {
        private static final byte[] SELECT1 =
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}".getBytes(StandardCharsets.UTF_8);
        private static final String POINT_READ_STMT = "{\"sql\":" + quote(Schema.POINT_READ) + ",\"args\":[";
        private static final String INSERT_STMT = "{\"sql\":" + quote(Schema.INSERT) + ",\"args\":[";

        private final HttpConnection http;
        private final Workload workload;
        private final int rows;
        private final String insertPrefix;
        private long seq;

        HranaWorker(HttpConnection http, int index, Workload workload, int rows, long runId) {
            this.http = http;
            this.workload = workload;
            this.rows = rows;
            this.insertPrefix = INSERT_STMT + integer(runId) + "," + integer(index) + ",";
        }

        @Override
        public String run() {
            try {
                return switch (workload) {
                    case SELECT1 -> check(http.post(PIPELINE, SELECT1));
                    case POINT_READ -> check(http.post(PIPELINE, pipeline(null, execute(pointRead()), CLOSE)));
                    case INSERT -> check(http.post(PIPELINE, pipeline(null, execute(insert()), CLOSE)));
                    case BATCH -> check(http.post(PIPELINE, pipeline(null, batch(), CLOSE)));
                    case TRANSACTION -> transaction();
                };
            } catch (IOException e) {
                return "connection: " + describe(e);
            }
        }

        private String transaction() throws IOException {
            HttpConnection.Response r = http.post(PIPELINE, pipeline(null, execute("{\"sql\":\"BEGIN\"}"), execute(insert())));
            String error = check(r);
            if (error != null) {
                return error;
            }
            String baton = baton(r.body());
            String[] next = {execute(insert()), execute(pointRead()), null};
            for (String step : next) {
                r = step == null
                        ? http.post(PIPELINE, pipeline(baton, execute("{\"sql\":\"COMMIT\"}"), CLOSE))
                        : http.post(PIPELINE, pipeline(baton, step));
                error = check(r);
                if (error != null) {
                    if (r.status() == 200 && step != null) {
                        abandon(baton(r.body()));
                    }
                    return error;
                }
                if (step != null) {
                    baton = baton(r.body());
                    if (baton == null) {
                        return "Hrana stream closed in a transaction";
                    }
                }
            }
            return null;
        }

        /** Closes a stream whose transaction failed half-way, so it does not wait for the idle timeout. */
        private void abandon(String baton) throws IOException {
            if (baton != null) {
                http.post(PIPELINE, pipeline(baton, CLOSE));
            }
        }

        private String pointRead() {
            return POINT_READ_STMT + integer(ThreadLocalRandom.current().nextInt(rows) + 1) + "]}";
        }

        private String insert() {
            return insertPrefix + integer(seq++) + ",{\"type\":\"text\",\"value\":\"" + Schema.PAYLOAD + "\"}]}";
        }

        /** The write batch {@code @libsql/client} sends for {@code batch(stmts, "write")}. */
        private String batch() {
            StringBuilder b = new StringBuilder(3_000).append("{\"type\":\"batch\",\"batch\":{\"steps\":[");
            b.append("{\"stmt\":{\"sql\":\"BEGIN IMMEDIATE\"}}");
            for (int i = 1; i <= 10; i++) {
                b.append(",{\"condition\":{\"type\":\"ok\",\"step\":").append(i - 1).append("},\"stmt\":").append(insert()).append('}');
            }
            b.append(",{\"condition\":{\"type\":\"ok\",\"step\":10},\"stmt\":{\"sql\":\"COMMIT\"}}");
            b.append(",{\"condition\":{\"type\":\"not\",\"cond\":{\"type\":\"ok\",\"step\":11}},\"stmt\":{\"sql\":\"ROLLBACK\"}}");
            return b.append("]}}").toString();
        }

        private static final String CLOSE = "{\"type\":\"close\"}";

        private static String execute(String stmt) {
            return "{\"type\":\"execute\",\"stmt\":" + stmt + "}";
        }

        private static byte[] pipeline(String baton, String... requests) {
            StringBuilder b = new StringBuilder(512).append("{\"baton\":");
            b.append(baton == null ? "null" : "\"" + baton + "\"").append(",\"requests\":[");
            for (int i = 0; i < requests.length; i++) {
                b.append(i == 0 ? "" : ",").append(requests[i]);
            }
            return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        }

        /**
         * The error kind of an answer, or null. Every Hrana error object has a {@code message}, and no
         * successful answer of these workloads contains that key, so a byte scan finds errors without
         * parsing every body; only failures are parsed for their code.
         */
        private static String check(HttpConnection.Response r) {
            if (r.status() != 200) {
                String code = codeOf(r.body());
                return "HTTP " + r.status() + (code == null ? "" : " " + code);
            }
            if (indexOf(r.body(), MESSAGE, 0) < 0) {
                return null;
            }
            String code = codeOf(r.body());
            return "Hrana " + (code == null ? "error without code" : code);
        }

        private static String codeOf(byte[] body) {
            try {
                JsonNode tree = JSON.readTree(body);
                JsonNode code = tree.findValue("code");
                return code == null || !code.isTextual() ? null : code.asText();
            } catch (IOException e) {
                return null;
            }
        }

        private static String baton(byte[] body) {
            int at = indexOf(body, BATON, 0);
            if (at < 0) {
                return null;
            }
            int start = at + BATON.length;
            int end = start;
            while (end < body.length && body[end] != '"') {
                end++;
            }
            return new String(body, start, end - start, StandardCharsets.US_ASCII);
        }

        private static int indexOf(byte[] hay, byte[] needle, int from) {
            outer:
            for (int i = from; i <= hay.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        @Override
        public void close() {
            http.close();
        }
    }
}
