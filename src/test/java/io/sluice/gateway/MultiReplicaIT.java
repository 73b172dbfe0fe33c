package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.gateway.proto.HranaHttpProto.PipelineRespBody;
import io.sluice.gateway.proto.HranaHttpProto.StreamRequest;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.testing.Postgres;
import io.sluice.testing.SluiceProcess;
import io.sluice.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two replicas on different loopback ports sharing one PostgreSQL database and one baton key: a stream
 * opened on one can be continued through the other, which forwards to the owner.
 */
@ExtendWith(Postgres.class)
class MultiReplicaIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SluiceProcess a;
    private static SluiceProcess b;
    private static final String TABLE = "replica_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeAll
    static void startReplicas() throws Exception {
        Map<String, String> config = new HashMap<>(Postgres.sluiceConfig());
        config.put("sluice.auth.mode", "none");
        config.put("sluice.gateway.baton-key", "shared-test-key-" + UUID.randomUUID());
        a = SluiceProcess.start("replica-a", config);
        b = SluiceProcess.start("replica-b", config);
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, note text)");
        }
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (Postgres.isReachable()) {
            try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + TABLE);
            }
        }
    }

    @Test
    void shouldContinueAndCommitOnReplicaBATransactionBegunOnReplicaA() throws Exception {
        JsonNode first = pipeline(a, null, "{\"type\":\"execute\",\"stmt\":{\"sql\":\"BEGIN\"}}",
                "{\"type\":\"execute\",\"stmt\":{\"sql\":\"INSERT INTO " + TABLE + " VALUES (1, 'from A')\"}}");
        String baton = first.get("baton").asText();
        assertThat(countRows()).as("uncommitted insert is invisible outside the transaction").isZero();

        JsonNode second = pipeline(b, baton, "{\"type\":\"execute\",\"stmt\":{\"sql\":\"INSERT INTO " + TABLE + " VALUES (2, 'via B')\"}}",
                "{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT count(*) FROM " + TABLE + "\"}}");
        assertThat(second.at("/results/1/response/result/rows/0/0/value").asText()).isEqualTo("2");

        JsonNode third = pipeline(b, second.get("baton").asText(), "{\"type\":\"execute\",\"stmt\":{\"sql\":\"COMMIT\"}}",
                "{\"type\":\"close\"}");
        assertThat(third.at("/results/0/type").asText()).isEqualTo("ok");
        assertThat(third.get("baton").isNull()).isTrue();
        assertThat(countRows()).isEqualTo(2);
    }

    @Test
    void shouldAnswerStreamExpiredPromptlyWhenTheOwningReplicaIsGone() throws Exception {
        Map<String, String> config = new HashMap<>(Postgres.sluiceConfig());
        config.put("sluice.auth.mode", "none");
        // same key as the others: read it back from A is not possible, so start a pair of our own
        config.put("sluice.gateway.baton-key", "owner-gone-key");
        try (SluiceProcess survivor = SluiceProcess.start("replica-survivor", config)) {
            SluiceProcess owner = SluiceProcess.start("replica-owner", config);
            JsonNode opened = pipeline(owner, null, "{\"type\":\"execute\",\"stmt\":{\"sql\":\"BEGIN\"}}");
            owner.kill();

            long start = System.nanoTime();
            HttpResponse<String> late = survivor.post("/v2/pipeline", "{\"baton\":\"" + opened.get("baton").asText()
                    + "\",\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}}]}");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(late.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(late.body()).get("code").asText()).isEqualTo("STREAM_EXPIRED");
            assertThat(millis).as("answered without waiting for a dead owner").isLessThan(5_000);
        }
    }

    @Test
    void shouldRefuseOnEveryReplicaABatonPresentedByAnotherPrincipalAndForwardItForItsOwn() throws Exception {
        TokenMinter.KeyMaterial keys = TestKeys.pair("multireplica");
        TokenMinter minter = TokenMinter.fromPrivateKeyPem(keys.privateKeyPem(), Clock.systemUTC());
        String alice = minter.mint(Access.READ_WRITE, "alice", Duration.ofMinutes(10));
        String bob = minter.mint(Access.READ_WRITE, "bob", Duration.ofMinutes(10));
        Map<String, String> config = new HashMap<>(Postgres.sluiceConfig());
        config.put("sluice.auth.mode", "jwt");
        config.put("sluice.auth.jwt-public-keys", keys.publicKeyBase64Url());
        config.put("sluice.gateway.baton-key", "principal-test-key-" + UUID.randomUUID());
        try (SluiceProcess owner = SluiceProcess.start("replica-jwt-owner", config);
                SluiceProcess other = SluiceProcess.start("replica-jwt-other", config)) {
            String insert = "{\"type\":\"execute\",\"stmt\":{\"sql\":\"INSERT INTO " + TABLE + " VALUES (%d, 'principal')\"}}";
            HttpResponse<String> begun = owner.post("/v2/pipeline", "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":"
                    + "{\"sql\":\"BEGIN\"}}," + insert.formatted(10) + "]}", alice);
            assertThat(begun.statusCode()).as(begun.body()).isEqualTo(200);
            String baton = JSON.readTree(begun.body()).get("baton").asText();

            for (SluiceProcess via : List.of(other, owner)) {
                HttpResponse<String> stolen = via.post("/v2/pipeline", "{\"baton\":\"" + baton + "\",\"requests\":["
                        + insert.formatted(11) + ",{\"type\":\"execute\",\"stmt\":{\"sql\":\"COMMIT\"}}]}", bob);
                assertThat(stolen.statusCode()).as(stolen.body()).isEqualTo(400);
                assertThat(JSON.readTree(stolen.body()).get("message").asText()).isEqualTo("Invalid baton");
            }

            HttpResponse<String> own = other.post("/v2/pipeline", "{\"baton\":\"" + baton + "\",\"requests\":["
                    + insert.formatted(12) + ",{\"type\":\"execute\",\"stmt\":{\"sql\":\"COMMIT\"}},{\"type\":\"close\"}]}", alice);
            assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
            assertThat(JSON.readTree(own.body()).at("/results/1/type").asText()).isEqualTo("ok");
        }
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + TABLE + " WHERE note = 'principal'")) {
                rs.next();
                assertThat(rs.getString(1)).as("bob's inserts never ran").isEqualTo("10,12");
            } finally {
                // the table is shared with the other tests, which count its rows
                s.execute("DELETE FROM " + TABLE + " WHERE note = 'principal'");
            }
        }
    }

    @Test
    void shouldForwardAProtobufStreamToItsOwnerAndAnswerInProtobuf() throws Exception {
        String table = "replica_pb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, data bytea)");
        }
        try {
            PipelineRespBody first = protobufPipeline(a, null, HranaProtobuf.execute("BEGIN"),
                    HranaProtobuf.execute("INSERT INTO " + table + " VALUES (?, ?)", HranaProtobuf.integer(Long.MAX_VALUE),
                            HranaProtobuf.blob(new byte[] {1, 2, 3})));
            assertThat(first.getResults(1).hasOk()).as("%s", first).isTrue();

            PipelineRespBody second = protobufPipeline(b, first.getBaton(),
                    HranaProtobuf.execute("SELECT id, data FROM " + table), HranaProtobuf.execute("COMMIT"), HranaProtobuf.close());

            HranaProto.Row row = second.getResults(0).getOk().getExecute().getResult().getRows(0);
            assertThat(row.getValues(0).getInteger()).isEqualTo(Long.MAX_VALUE);
            assertThat(row.getValues(1).getBlob().toByteArray()).containsExactly(1, 2, 3);
            assertThat(second.getResults(1).hasOk()).isTrue();
            assertThat(second.hasBaton()).as("closed through the forwarding replica").isFalse();
        } finally {
            try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    private static PipelineRespBody protobufPipeline(SluiceProcess via, String baton, StreamRequest... requests) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(via.url() + HranaProtobuf.PIPELINE))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", HranaProtobuf.TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(HranaProtobuf.pipeline(baton, requests).toByteArray())).build();
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(HranaProtobuf.TYPE);
        return PipelineRespBody.parseFrom(r.body());
    }

    private static JsonNode pipeline(SluiceProcess via, String baton, String... requests) throws Exception {
        String body = "{\"baton\":" + (baton == null ? "null" : "\"" + baton + "\"") + ",\"requests\":["
                + String.join(",", requests) + "]}";
        HttpResponse<String> r = via.post("/v2/pipeline", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static long countRows() throws Exception {
        try (Connection c = Postgres.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
