package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Hrana JSON the workloads send, over HTTP and WebSocket alike, assembled from constant pieces; and the
 * byte scans that check answers without parsing every one.
 */
final class HranaJson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SELECT1_STMT = "{\"sql\":\"SELECT 1\"}";
    static final String BEGIN_STMT = "{\"sql\":\"BEGIN\"}";
    static final String COMMIT_STMT = "{\"sql\":\"COMMIT\"}";
    private static final String POINT_READ_STMT = "{\"sql\":" + quote(Schema.POINT_READ) + ",\"args\":[";
    private static final String INSERT_STMT = "{\"sql\":" + quote(Schema.INSERT) + ",\"args\":[";
    private static final byte[] MESSAGE = "\"message\"".getBytes(StandardCharsets.US_ASCII);

    private HranaJson() {
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String integer(long v) {
        return "{\"type\":\"integer\",\"value\":\"" + v + "\"}";
    }

    /** A read of a random id in 1..rows. */
    static String pointRead(int rows) {
        return POINT_READ_STMT + integer(ThreadLocalRandom.current().nextInt(rows) + 1) + "]}";
    }

    /** What every insert of one connection of one run starts with: its run id and connection number. */
    static String insertPrefix(long runId, int connection) {
        return INSERT_STMT + integer(runId) + "," + integer(connection) + ",";
    }

    /** The insert of row {@code seq} of the connection of {@code prefix}. */
    static String insert(String prefix, long seq) {
        return prefix + integer(seq) + ",{\"type\":\"text\",\"value\":\"" + Schema.PAYLOAD + "\"}]}";
    }

    /**
     * The write batch {@code @libsql/client} sends for {@code batch(stmts, "write")}: BEGIN IMMEDIATE, 10
     * inserts from {@code firstSeq} on, COMMIT, ROLLBACK unless it committed.
     */
    static String writeBatch(String prefix, long firstSeq) {
        StringBuilder b = new StringBuilder(3_000).append("{\"steps\":[");
        b.append("{\"stmt\":{\"sql\":\"BEGIN IMMEDIATE\"}}");
        for (int i = 1; i <= 10; i++) {
            b.append(",{\"condition\":{\"type\":\"ok\",\"step\":").append(i - 1).append("},\"stmt\":")
                    .append(insert(prefix, firstSeq + i - 1)).append('}');
        }
        b.append(",{\"condition\":{\"type\":\"ok\",\"step\":10},\"stmt\":{\"sql\":\"COMMIT\"}}");
        b.append(",{\"condition\":{\"type\":\"not\",\"cond\":{\"type\":\"ok\",\"step\":11}},\"stmt\":{\"sql\":\"ROLLBACK\"}}");
        return b.append("]}").toString();
    }

    /**
     * Whether an answer may hold an error. Every Hrana error object has a {@code message}, and no successful
     * answer of these workloads contains that key, so a byte scan finds errors; only those are parsed.
     */
    static boolean mayHoldError(byte[] answer) {
        return indexOf(answer, MESSAGE) >= 0;
    }

    /** The error code in an answer, or null. */
    static String codeOf(byte[] answer) {
        try {
            JsonNode code = JSON.readTree(answer).findValue("code");
            return code == null || !code.isTextual() ? null : code.asText();
        } catch (IOException e) {
            return null;
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
