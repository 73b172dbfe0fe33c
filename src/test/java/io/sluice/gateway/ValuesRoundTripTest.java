package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaClient.scalar;
import static io.sluice.gateway.HranaJson.blob;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.flt;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.jsNumber;
import static io.sluice.gateway.HranaJson.nul;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.text;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every Hrana value type, bound as an argument and read back, with its exact JSON encoding and SQLite storage class. */
@QuarkusTest
class ValuesRoundTripTest {

    /** The SQLite storage class a bound argument gets: {@code typeof(?)}. */
    String typeOf(JsonNode value) {
        return scalar("SELECT typeof(?)", value).get("value").asText();
    }

    @Test
    void shouldRoundTripNull() {
        assertThat(scalar("SELECT ?", nul())).isEqualTo(parse("{'type':'null'}"));
        assertThat(typeOf(nul())).isEqualTo("null");
        assertThat(scalar("SELECT NULL")).isEqualTo(parse("{'type':'null'}"));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, 42, 9007199254740993L, -9007199254740993L, Long.MAX_VALUE, Long.MIN_VALUE})
    void shouldRoundTripIntegerAsDecimalStringIncludingInt64Limits(long v) {
        JsonNode back = scalar("SELECT ?", integer(v));

        assertThat(back).isEqualTo(parse("{'type':'integer','value':'" + v + "'}"));
        assertThat(back.get("value").isTextual()).isTrue();
        assertThat(typeOf(integer(v))).isEqualTo("integer");
    }

    @Test
    void shouldReturnInt64LimitsComputedBySqlite() {
        assertThat(scalar("SELECT 9223372036854775807")).isEqualTo(parse("{'type':'integer','value':'9223372036854775807'}"));
        assertThat(scalar("SELECT -9223372036854775807 - 1")).isEqualTo(parse("{'type':'integer','value':'-9223372036854775808'}"));
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.5, -0.125, 1e300, -1.5e-300, 3.141592653589793})
    void shouldRoundTripFloatAsJsonNumber(double v) {
        JsonNode back = scalar("SELECT ?", flt(v));

        assertThat(back.get("type").asText()).isEqualTo("float");
        assertThat(back.get("value").isNumber()).isTrue();
        assertThat(back.get("value").doubleValue()).isEqualTo(v);
        assertThat(typeOf(flt(v))).isEqualTo("real");
    }

    @Test
    void shouldReturnIntegralRealAsFloatNotInteger() {
        JsonNode literal = scalar("SELECT 1.0");
        JsonNode cast = scalar("SELECT CAST(3 AS REAL)");

        assertThat(literal.get("type").asText()).isEqualTo("float");
        assertThat(literal.get("value").isNumber()).isTrue();
        assertThat(literal.get("value").doubleValue()).isEqualTo(1.0);
        assertThat(cast.get("type").asText()).isEqualTo("float");
        assertThat(cast.get("value").doubleValue()).isEqualTo(3.0);
    }

    @Test
    void shouldBindJavaScriptIntegralNumberSentAsFloatAsReal() {
        // @libsql/client sends the JS number 1 as {"type":"float","value":1}
        assertThat(typeOf(jsNumber(1))).isEqualTo("real");
        JsonNode back = scalar("SELECT ?", jsNumber(1));
        assertThat(back.get("type").asText()).isEqualTo("float");
        assertThat(back.get("value").doubleValue()).isEqualTo(1.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "héllo ✓", "日本語テキスト", "emoji 😀🎉", "quote ' \" and \\ backslash", "line\nbreak\ttab"})
    void shouldRoundTripText(String v) {
        assertThat(scalar("SELECT ?", text(v))).isEqualTo(text(v));
        assertThat(typeOf(text(v))).isEqualTo("text");
    }

    @Test
    void shouldCountUnicodeTextInCharactersNotBytes() {
        assertThat(scalar("SELECT length(?)", text("héllo ✓"))).isEqualTo(integer(7));
    }

    @Test
    void shouldRoundTripTextContainingNulCharacter() {
        assertThat(scalar("SELECT ?", text("a\u0000b"))).isEqualTo(text("a\u0000b"));
    }

    @Test
    void shouldRoundTripBlobSentWithPaddedBase64() {
        assertThat(scalar("SELECT ?", blob("AQL/"))).isEqualTo(blob("AQL/"));
        assertThat(scalar("SELECT hex(?)", blob("AQL/"))).isEqualTo(text("0102FF"));
        assertThat(typeOf(blob("AQL/"))).isEqualTo("blob");
    }

    @Test
    void shouldAcceptUnpaddedBase64AndAnswerPadded() {
        assertThat(scalar("SELECT hex(?)", blob("AQE"))).isEqualTo(text("0101"));
        assertThat(scalar("SELECT ?", blob("AQE"))).isEqualTo(blob("AQE="));
        assertThat(scalar("SELECT hex(?)", blob("AA"))).isEqualTo(text("00"));
    }

    @Test
    void shouldKeepZeroLengthBlobABlobInBothDirections() {
        assertThat(typeOf(blob(""))).isEqualTo("blob");
        assertThat(scalar("SELECT length(?)", blob(""))).isEqualTo(integer(0));
        assertThat(scalar("SELECT ?", blob(""))).isEqualTo(parse("{'type':'blob','base64':''}"));
        assertThat(scalar("SELECT x''")).isEqualTo(parse("{'type':'blob','base64':''}"));
    }

    @Test
    void shouldStoreEveryTypeInTableAndReadItBackWithItsStorageClass() {
        String t = uniqueTable("vals");
        query("CREATE TABLE " + t + "(n, i INTEGER, r REAL, s TEXT, b BLOB, e BLOB)");
        query("INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?, ?)",
                nul(), integer(Long.MIN_VALUE), flt(0.5), text("ünïcode"), blob("3q2+7w=="), blob(""));

        JsonNode result = query("SELECT n, i, r, s, b, e, typeof(n), typeof(i), typeof(r), typeof(s), typeof(b), typeof(e) FROM " + t);

        assertThat(result.get("rows")).isEqualTo(parse("[[{'type':'null'},{'type':'integer','value':'-9223372036854775808'},"
                + "{'type':'float','value':0.5},{'type':'text','value':'ünïcode'},{'type':'blob','base64':'3q2+7w=='},"
                + "{'type':'blob','base64':''},{'type':'text','value':'null'},{'type':'text','value':'integer'},"
                + "{'type':'text','value':'real'},{'type':'text','value':'text'},{'type':'text','value':'blob'},"
                + "{'type':'text','value':'blob'}]]"));
    }

    @Test
    void shouldReturnRealColumnHoldingIntegralValueAsFloat() {
        String t = uniqueTable("realcol");
        query("CREATE TABLE " + t + "(r REAL)");
        query("INSERT INTO " + t + " VALUES (?)", integer(2));

        JsonNode v = scalar("SELECT r FROM " + t);

        assertThat(v.get("type").asText()).isEqualTo("float");
        assertThat(v.get("value").doubleValue()).isEqualTo(2.0);
    }

    @Test
    void shouldAcceptValuesOnV3AsServerlessClientSendsThem() {
        JsonNode body = pipelineOk(V3, null, execute(stmt("SELECT typeof(?), typeof(?), typeof(?), typeof(?)",
                integer(1), flt(2.5), text("x"), blob("AQL/"))), close());

        assertThat(okResponse(body.get("results").get(0)).get("result").get("rows")).isEqualTo(parse(
                "[[{'type':'text','value':'integer'},{'type':'text','value':'real'},{'type':'text','value':'text'},"
                        + "{'type':'text','value':'blob'}]]"));
    }
}
