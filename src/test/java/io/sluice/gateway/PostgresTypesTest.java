package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaClient.queryError;
import static io.sluice.gateway.HranaJson.blob;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.col;
import static io.sluice.gateway.HranaJson.cols;
import static io.sluice.gateway.HranaJson.describe;
import static io.sluice.gateway.HranaJson.flt;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.jsNumber;
import static io.sluice.gateway.HranaJson.nul;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.text;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How PostgreSQL's types reach a Hrana client, through HTTP: each type's exact value encoding and its
 * decltype (the PostgreSQL type name), in a table column and as an expression, and how arguments bind
 * into columns of that type.
 */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class PostgresTypesTest {

    /** Creates a table with the given column definitions, inserts one row of {@code values} and selects it back. */
    private static JsonNode roundTrip(String columns, String selectList, JsonNode... values) {
        String t = uniqueTable("ty");
        query("CREATE TABLE " + t + "(" + columns + ")");
        query("INSERT INTO " + t + " VALUES (" + "?, ".repeat(values.length - 1) + "?)", values);
        return query("SELECT " + selectList + " FROM " + t);
    }

    private static JsonNode onlyRow(JsonNode result) {
        assertThat(result.get("rows")).as("rows of %s", result).hasSize(1);
        return result.get("rows").get(0);
    }

    @Test
    void shouldReturnInt2Int4AndInt8AsIntegersUpToTheirLimits() {
        JsonNode result = roundTrip("s smallint, i integer, b bigint, s_min smallint, i_min integer, b_min bigint", "*",
                integer(Short.MAX_VALUE), integer(Integer.MAX_VALUE), integer(Long.MAX_VALUE),
                integer(Short.MIN_VALUE), integer(Integer.MIN_VALUE), integer(Long.MIN_VALUE));

        assertThat(result.get("cols")).isEqualTo(cols(col("s", "int2"), col("i", "int4"), col("b", "int8"),
                col("s_min", "int2"), col("i_min", "int4"), col("b_min", "int8")));
        assertThat(onlyRow(result)).containsExactly(integer(32767), integer(2147483647), integer(9223372036854775807L),
                integer(-32768), integer(-2147483648), integer(Long.MIN_VALUE));
    }

    @Test
    void shouldGiveIntegerExpressionsTheirIntegerTypeNames() {
        JsonNode result = query("SELECT 1::int2 AS a, 2 AS b, 3::int8 AS c, 2147483647 + 1::int8 AS d, count(*) AS e");

        assertThat(result.get("cols")).isEqualTo(cols(col("a", "int2"), col("b", "int4"), col("c", "int8"), col("d", "int8"),
                col("e", "int8")));
        assertThat(onlyRow(result)).containsExactly(integer(1), integer(2), integer(3), integer(2147483648L), integer(1));
    }

    @Test
    void shouldStoreJavaScriptNumberSentAsFloatInIntegerColumn() {
        // @libsql/client sends the JS number 3 as {"type":"float","value":3}; PostgreSQL assigns it to the integer column
        JsonNode result = roundTrip("i integer", "i", jsNumber(3));

        assertThat(onlyRow(result)).containsExactly(integer(3));
    }

    @Test
    void shouldRefuseIntegerOutOfRangeOfItsColumnAsMismatch() {
        String t = uniqueTable("range");
        query("CREATE TABLE " + t + "(s smallint)");

        JsonNode error = queryError("INSERT INTO " + t + " VALUES (?)", integer(32768));

        assertThat(error.get("code").asText()).isEqualTo("SQLITE_MISMATCH");
        assertThat(error.get("message").asText()).contains("22003");
    }

    @Test
    void shouldReturnFloat4AndFloat8AsJsonNumbersWithFloat4AtItsShortestDecimal() {
        JsonNode result = roundTrip("r real, d double precision, whole double precision, tiny double precision", "*",
                flt(1.1), flt(0.1 + 0.2), jsNumber(2), flt(-1.5e-300));

        assertThat(result.get("cols")).isEqualTo(cols(col("r", "float4"), col("d", "float8"), col("whole", "float8"), col("tiny", "float8")));
        JsonNode row = onlyRow(result);
        assertThat(row.get(0)).isEqualTo(parse("{'type':'float','value':1.1}"));
        assertThat(row.get(1)).isEqualTo(flt(0.30000000000000004));
        assertThat(row.get(2)).isEqualTo(parse("{'type':'float','value':2.0}"));
        assertThat(row.get(2).get("value").isFloatingPointNumber()).as("an integral float is still a float").isTrue();
        assertThat(row.get(3)).isEqualTo(flt(-1.5e-300));
    }

    @Test
    void shouldReturnNonFiniteFloatsAsNullBecauseJsonCannotCarryThem() {
        // JSON has no NaN or Infinity: the value codec writes null for them rather than an invalid document
        JsonNode result = query("SELECT 'NaN'::float8 AS a, 'Infinity'::float8 AS b, '-Infinity'::float4 AS c");

        assertThat(onlyRow(result)).containsExactly(nul(), nul(), nul());
        assertThat(result.get("cols")).isEqualTo(cols(col("a", "float8"), col("b", "float8"), col("c", "float4")));
    }

    @Test
    void shouldReturnWholeNumericWithin64BitsAsIntegerAndAnyOtherAsItsExactText() {
        JsonNode result = roundTrip("a numeric, b numeric, c numeric(10,2), d numeric, e numeric, f numeric, g numeric, h numeric", "*",
                text("5.0"), text("-9223372036854775808"), text("5.5"), text("0.1"), text("12345678901234567890.1"),
                text("9223372036854775808"), text("123456789012345678901234567890"), text("NaN"));

        assertThat(result.get("cols")).allSatisfy(c -> assertThat(c.get("decltype").asText()).isEqualTo("numeric"));
        assertThat(onlyRow(result)).containsExactly(integer(5), integer(Long.MIN_VALUE), text("5.50"), text("0.1"),
                text("12345678901234567890.1"), text("9223372036854775808"), text("123456789012345678901234567890"), text("NaN"));
    }

    @Test
    void shouldStoreIntegerAndFloatArgumentsInNumericColumnWithoutLoss() {
        JsonNode result = roundTrip("i numeric, f numeric", "*", integer(Long.MAX_VALUE), flt(2.25));

        assertThat(onlyRow(result)).containsExactly(integer(Long.MAX_VALUE), text("2.25"));
    }

    @Test
    void shouldReturnTextVarcharUuidJsonAndTimestampAsTextInPostgresqlOutputForm() {
        JsonNode result = roundTrip("t text, v varchar(20), u uuid, j json, jb jsonb, ts timestamp, d date", "*",
                text("héllo ✓"), text("short"), text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), text("{\"a\":  [1, 2]}"),
                text("{\"b\":2,\"a\":1}"), text("2024-02-29T13:14:15.25"), text("2024-02-29"));

        assertThat(result.get("cols")).isEqualTo(cols(col("t", "text"), col("v", "varchar"), col("u", "uuid"), col("j", "json"),
                col("jb", "jsonb"), col("ts", "timestamp"), col("d", "date")));
        assertThat(onlyRow(result)).containsExactly(text("héllo ✓"), text("short"), text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                text("{\"a\":  [1, 2]}"), text("{\"a\": 1, \"b\": 2}"), text("2024-02-29 13:14:15.25"), text("2024-02-29"));
    }

    @Test
    void shouldCompareTextArgumentsWithUuidAndTimestampColumns() {
        String t = uniqueTable("cmp");
        query("CREATE TABLE " + t + "(u uuid, ts timestamp, n text)");
        query("INSERT INTO " + t + " VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-02 03:04:05', 'hit'),"
                + " (gen_random_uuid(), '2000-01-01', 'miss')");

        JsonNode result = query("SELECT n FROM " + t + " WHERE u = ? AND ts > ?", text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                text("2024-01-01"));

        assertThat(result.get("rows")).isEqualTo(parse("[[{'type':'text','value':'hit'}]]"));
    }

    @Test
    void shouldRefuseTextThatIsNotAValidUuidAsMismatch() {
        String t = uniqueTable("baduuid");
        query("CREATE TABLE " + t + "(u uuid)");

        JsonNode error = queryError("INSERT INTO " + t + " VALUES (?)", text("not-a-uuid"));

        assertThat(error.get("code").asText()).isEqualTo("SQLITE_MISMATCH");
        assertThat(error.get("message").asText()).contains("22P02");
    }

    @Test
    void shouldReturnByteaAsBlobAndKeepEmptyByteaABlob() {
        JsonNode result = roundTrip("b bytea, e bytea, n bytea", "b, e, n, length(e) AS len", blob("AAEC/4A="), blob(""), nul());

        assertThat(result.get("cols")).isEqualTo(cols(col("b", "bytea"), col("e", "bytea"), col("n", "bytea"), col("len", "int4")));
        assertThat(onlyRow(result)).containsExactly(blob("AAEC/4A="), parse("{'type':'blob','base64':''}"), nul(), integer(0));
    }

    @Test
    void shouldReturnBooleanAsIntegerOneOrZero() {
        JsonNode result = roundTrip("t boolean, f boolean, n boolean", "t, f, n, t AND NOT f AS expr", text("true"), text("0"), nul());

        assertThat(result.get("cols")).isEqualTo(cols(col("t", "bool"), col("f", "bool"), col("n", "bool"), col("expr", "bool")));
        assertThat(onlyRow(result)).containsExactly(integer(1), integer(0), nul(), integer(1));
    }

    @Test
    void shouldRefuseIntegerArgumentForBooleanColumnAsPostgresqlHasNoSuchAssignment() {
        // clients send JS booleans as integers; PostgreSQL will not assign bigint to boolean (42804)
        String t = uniqueTable("boolarg");
        query("CREATE TABLE " + t + "(flag boolean)");

        JsonNode error = queryError("INSERT INTO " + t + " VALUES (?)", integer(1));

        assertThat(error.get("code").asText()).isEqualTo("SQLITE_ERROR");
        assertThat(error.get("message").asText()).contains("42804");
    }

    @ParameterizedTest
    @ValueSource(strings = {"int2", "int4", "int8", "float4", "float8", "numeric", "text", "varchar", "uuid", "json", "timestamp", "bytea", "bool"})
    void shouldReturnNullOfEveryTypeAsNullWithTheTypeName(String type) {
        JsonNode result = query("SELECT NULL::" + type + " AS v");

        assertThat(result.get("cols")).isEqualTo(cols(col("v", type)));
        assertThat(onlyRow(result)).containsExactly(nul());
    }

    @Test
    void shouldAnswerTheSameTextAfterTheDriverServerPreparesTheStatement() {
        // the driver server-prepares a text from its fifth execution on a connection, and may then read it in binary
        String sql = "SELECT ARRAY[1,2] AS a, '{a,b}'::text[] AS t, '03:04:05+02'::timetz AS tz, point(1, 2) AS p, 2.50::numeric(5,2) AS n";
        JsonNode[] requests = new JsonNode[9];
        for (int i = 0; i < 8; i++) {
            requests[i] = HranaJson.execute(sql);
        }
        requests[8] = close();
        JsonNode results = pipelineOk(V3, null, requests).get("results"); // one stream: one connection
        for (int i = 0; i < 8; i++) {
            assertThat(onlyRow(okResponse(results.get(i)).get("result"))).as("execution %d", i + 1)
                    .containsExactly(text("{1,2}"), text("{a,b}"), text("03:04:05+02"), text("(1,2)"), text("2.50"));
        }
    }

    @Test
    void shouldDescribeColumnsWithTheSameTypeNamesAsResults() {
        String t = uniqueTable("desc");
        query("CREATE TABLE " + t + "(s smallint, i integer, b bigint, r real, d double precision, n numeric, t text, v varchar(5),"
                + " u uuid, j json, ts timestamp, y bytea, f boolean, id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)");

        JsonNode body = pipelineOk(V3, null, describe("SELECT * FROM " + t + " WHERE id = ?"), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(result.get("cols")).isEqualTo(cols(col("s", "int2"), col("i", "int4"), col("b", "int8"), col("r", "float4"),
                col("d", "float8"), col("n", "numeric"), col("t", "text"), col("v", "varchar"), col("u", "uuid"), col("j", "json"),
                col("ts", "timestamp"), col("y", "bytea"), col("f", "bool"), col("id", "int8")));
        assertThat(result.get("params")).isEqualTo(parse("[{'name':null}]"));
    }

    @Test
    void shouldGiveNoLastInsertRowidButReturnGeneratedKeysThroughReturning() {
        String t = uniqueTable("ident");
        query("CREATE TABLE " + t + "(id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text)");

        JsonNode plain = query("INSERT INTO " + t + "(v) VALUES (?)", text("a"));
        JsonNode returning = query("INSERT INTO " + t + "(v) VALUES (?), (?) RETURNING id", text("b"), text("c"));

        assertThat(plain).isEqualTo(parse("{'cols':[],'rows':[],'affected_row_count':1,'last_insert_rowid':null}"));
        assertThat(returning.get("rows")).isEqualTo(parse("[[{'type':'integer','value':'2'}],[{'type':'integer','value':'3'}]]"));
        assertThat(returning.get("affected_row_count").asLong()).isEqualTo(2);
        assertThat(returning.get("last_insert_rowid").isNull()).isTrue();
    }
}
