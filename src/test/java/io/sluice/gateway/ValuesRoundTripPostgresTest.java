package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaClient.queryError;
import static io.sluice.gateway.HranaClient.scalar;
import static io.sluice.gateway.HranaJson.blob;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.flt;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.nul;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.text;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ValuesRoundTripTest} against PostgreSQL. SQLite's {@code typeof()} becomes {@code pg_typeof()}
 * mapped back to the storage class a Hrana value binds as (integer → int8, float → float8, text → text,
 * blob → bytea); the tests that spell SQLite-only SQL ({@code hex()}, {@code x''}) are restated in
 * PostgreSQL's.
 */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class ValuesRoundTripPostgresTest extends ValuesRoundTripTest {
    /** A text argument with nothing to type it from is retried as varchar (pgjdbc's string type). */
    private static final Map<String, String> STORAGE_CLASS = Map.of(
            "bigint", "integer", "double precision", "real", "text", "text", "character varying", "text", "bytea", "blob");

    @Override
    String typeOf(JsonNode value) {
        String pgType = scalar("SELECT pg_typeof(?)::text", value).get("value").asText();
        return STORAGE_CLASS.getOrDefault(pgType, "unexpected PostgreSQL type " + pgType);
    }

    @Test
    @Override
    void shouldRoundTripNull() {
        // an untyped NULL argument has no type on PostgreSQL (typeof gives 'null' on SQLite); its value is still null
        assertThat(scalar("SELECT ?", nul())).isEqualTo(parse("{'type':'null'}"));
        assertThat(scalar("SELECT NULL")).isEqualTo(parse("{'type':'null'}"));
        assertThat(scalar("SELECT ?::int8", nul())).isEqualTo(parse("{'type':'null'}"));
    }

    @Test
    @Override
    void shouldReturnIntegralRealAsFloatNotInteger() {
        // 1.0 is a numeric literal on PostgreSQL, which the dialect returns as an integer when whole; float8 is the REAL
        JsonNode literal = scalar("SELECT 1.0::float8");
        JsonNode cast = scalar("SELECT CAST(3 AS REAL)");

        assertThat(literal).isEqualTo(parse("{'type':'float','value':1.0}"));
        assertThat(literal.get("value").isFloatingPointNumber()).isTrue();
        assertThat(cast).isEqualTo(parse("{'type':'float','value':3.0}"));
    }

    @Test
    @Override
    void shouldRoundTripTextContainingNulCharacter() {
        // PostgreSQL text cannot hold U+0000: the argument is refused as a value that does not fit its type
        assertThat(queryError("SELECT ?", text("a\u0000b")).get("code").asText()).isEqualTo("SQLITE_MISMATCH");
    }

    @Test
    @Override
    void shouldRoundTripBlobSentWithPaddedBase64() {
        // hex() is SQLite's; encode(…, 'hex') is PostgreSQL's
        assertThat(scalar("SELECT ?", blob("AQL/"))).isEqualTo(blob("AQL/"));
        assertThat(scalar("SELECT encode(?, 'hex')", blob("AQL/"))).isEqualTo(text("0102ff"));
        assertThat(typeOf(blob("AQL/"))).isEqualTo("blob");
    }

    @Test
    @Override
    void shouldAcceptUnpaddedBase64AndAnswerPadded() {
        assertThat(scalar("SELECT encode(?, 'hex')", blob("AQE"))).isEqualTo(text("0101"));
        assertThat(scalar("SELECT ?", blob("AQE"))).isEqualTo(blob("AQE="));
        assertThat(scalar("SELECT encode(?, 'hex')", blob("AA"))).isEqualTo(text("00"));
    }

    @Test
    @Override
    void shouldKeepZeroLengthBlobABlobInBothDirections() {
        // x'' is a bit string on PostgreSQL; the empty bytea literal is '\x'::bytea
        assertThat(typeOf(blob(""))).isEqualTo("blob");
        assertThat(scalar("SELECT length(?)", blob(""))).isEqualTo(integer(0));
        assertThat(scalar("SELECT ?", blob(""))).isEqualTo(parse("{'type':'blob','base64':''}"));
        assertThat(scalar("SELECT '\\x'::bytea")).isEqualTo(parse("{'type':'blob','base64':''}"));
    }

    @Test
    @Override
    void shouldStoreEveryTypeInTableAndReadItBackWithItsStorageClass() {
        String t = uniqueTable("vals");
        query("CREATE TABLE " + t + "(n text, i bigint, r double precision, s text, b bytea, e bytea)");
        query("INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?, ?)",
                nul(), integer(Long.MIN_VALUE), flt(0.5), text("ünïcode"), blob("3q2+7w=="), blob(""));

        JsonNode result = query("SELECT n, i, r, s, b, e, n IS NULL, pg_typeof(i)::text, pg_typeof(r)::text, pg_typeof(s)::text,"
                + " pg_typeof(b)::text, pg_typeof(e)::text FROM " + t);

        assertThat(result.get("rows")).isEqualTo(parse("[[{'type':'null'},{'type':'integer','value':'-9223372036854775808'},"
                + "{'type':'float','value':0.5},{'type':'text','value':'ünïcode'},{'type':'blob','base64':'3q2+7w=='},"
                + "{'type':'blob','base64':''},{'type':'integer','value':'1'},{'type':'text','value':'bigint'},"
                + "{'type':'text','value':'double precision'},{'type':'text','value':'text'},{'type':'text','value':'bytea'},"
                + "{'type':'text','value':'bytea'}]]"));
    }

    @Test
    @Override
    void shouldAcceptValuesOnV3AsServerlessClientSendsThem() {
        JsonNode body = pipelineOk(V3, null, execute(stmt("SELECT pg_typeof(?)::text, pg_typeof(?)::text, pg_typeof(?)::text,"
                + " pg_typeof(?)::text", integer(1), flt(2.5), text("x"), blob("AQL/"))), close());

        assertThat(okResponse(body.get("results").get(0)).get("result").get("rows")).isEqualTo(parse(
                "[[{'type':'text','value':'bigint'},{'type':'text','value':'double precision'},"
                        + "{'type':'text','value':'character varying'},{'type':'text','value':'bytea'}]]"));
    }
}
