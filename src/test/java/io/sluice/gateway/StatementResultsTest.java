package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaClient.queryStmt;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.col;
import static io.sluice.gateway.HranaJson.cols;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.noRows;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.text;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The shape of a StmtResult: columns, rows, affected row count and last insert rowid. */
@QuarkusTest
class StatementResultsTest implements BackendExpectations {

    private String table() {
        String t = uniqueTable("res");
        query("CREATE TABLE " + t + "(id " + autoIdKey() + ", name TEXT NOT NULL, score " + realType() + ", data " + blobType()
                + ", misc " + anyType() + ")");
        return t;
    }

    @Test
    void shouldDescribeColumnsWithNameAndDeclaredTypeAndNullForExpressions() {
        String t = table();

        JsonNode result = query("SELECT id, name AS who, score, data, misc, 1 + 1, upper(name) AS up FROM " + t);

        assertThat(result.get("cols")).isEqualTo(cols(col("id", decltype("INTEGER", "int8")), col("who", decltype("TEXT", "text")),
                col("score", decltype("REAL", "float8")), col("data", decltype("BLOB", "bytea")), col("misc", decltype(null, "text")),
                col(exprColumnName("1 + 1"), exprDecltype("int4")), col("up", exprDecltype("text"))));
        assertThat(result.get("rows")).isEmpty();
    }

    @Test
    void shouldReturnRowsInOrderWithDuplicateColumnNamesKept() {
        JsonNode result = query("SELECT 1 AS x, 2 AS x UNION ALL SELECT 3, 4");

        assertThat(result.get("cols")).isEqualTo(cols(col("x", exprDecltype("int4")), col("x", exprDecltype("int4"))));
        assertThat(result.get("rows")).isEqualTo(parse("[[{'type':'integer','value':'1'},{'type':'integer','value':'2'}],"
                + "[{'type':'integer','value':'3'},{'type':'integer','value':'4'}]]"));
    }

    @Test
    void shouldReportAffectedRowsAndLastInsertRowidForInsert() {
        String t = table();

        JsonNode single = query("INSERT INTO " + t + "(id, name) VALUES (41, 'a')");
        JsonNode multi = query("INSERT INTO " + t + "(name) VALUES ('b'), ('c'), ('d')");

        ObjectNode expected = (ObjectNode) parse("{'cols':[],'rows':[],'affected_row_count':1}");
        expected.set("last_insert_rowid", lastInsertRowid(41));
        assertThat(single).isEqualTo(expected);
        assertThat(multi.get("affected_row_count").asLong()).isEqualTo(3);
        assertThat(multi.get("last_insert_rowid")).isEqualTo(lastInsertRowid(44));
    }

    @Test
    void shouldReportAffectedRowsForUpdateAndDelete() {
        String t = table();
        query("INSERT INTO " + t + "(name) VALUES ('a'), ('b'), ('c')");

        JsonNode update = query("UPDATE " + t + " SET score = 1.5 WHERE name <> 'a'");
        JsonNode delete = query("DELETE FROM " + t + " WHERE name = 'a'");
        JsonNode none = query("UPDATE " + t + " SET score = 0 WHERE name = 'zzz'");

        assertThat(update.get("affected_row_count").isIntegralNumber()).isTrue();
        assertThat(update.get("affected_row_count").asLong()).isEqualTo(2);
        assertThat(delete.get("affected_row_count").asLong()).isEqualTo(1);
        assertThat(none.get("affected_row_count").asLong()).isZero();
    }

    @Test
    void shouldReportZeroAffectedRowsAndNullRowidForSelectAfterInsertOnSameStream() {
        String t = table();
        JsonNode body = pipelineOk(V3, null,
                HranaJson.execute("INSERT INTO " + t + "(name) VALUES ('x')"),
                HranaJson.execute("SELECT count(*) FROM " + t),
                HranaJson.execute("CREATE INDEX idx_" + t + " ON " + t + "(name)"),
                close());

        JsonNode insert = okResponse(body.get("results").get(0)).get("result");
        JsonNode select = okResponse(body.get("results").get(1)).get("result");
        JsonNode ddl = okResponse(body.get("results").get(2)).get("result");
        assertThat(insert.get("last_insert_rowid")).isEqualTo(lastInsertRowid(1));
        assertThat(select.get("affected_row_count").asLong()).isZero();
        assertThat(select.get("last_insert_rowid").isNull()).isTrue();
        assertThat(ddl.get("affected_row_count").isNumber()).isTrue();
        assertThat(ddl.get("affected_row_count").asLong()).isZero();
    }

    @Test
    void shouldReturnNoRowsButColumnsWhenRowsAreNotWanted() {
        String t = table();
        query("INSERT INTO " + t + "(name) VALUES ('a'), ('b')");

        JsonNode result = queryStmt(noRows(stmt("SELECT id, name FROM " + t)));

        assertThat(result.get("cols")).isEqualTo(cols(col("id", decltype("INTEGER", "int8")), col("name", decltype("TEXT", "text"))));
        assertThat(result.get("rows")).isEqualTo(parse("[]"));
    }

    @Test
    void shouldReturnNoRowsButColumnsInBatchStepThatDoesNotWantRows() {
        JsonNode body = pipelineOk(V3, null, batchRequest(batch(step(noRows(stmt("SELECT 1 AS a, 2 AS b"))))), close());

        JsonNode r = okResponse(body.get("results").get(0)).get("result").get("step_results").get(0);
        assertThat(r.get("cols")).hasSize(2);
        assertThat(r.get("rows")).isEmpty();
    }

    @Test
    void shouldReturnRowsOfInsertReturning() {
        String t = table();

        JsonNode result = query("INSERT INTO " + t + "(name, score) VALUES (?, 2.5), ('second', NULL) RETURNING id, name, score * 2 AS twice",
                text("first"));

        assertThat(result.get("cols")).isEqualTo(cols(col("id", decltype("INTEGER", "int8")), col("name", decltype("TEXT", "text")),
                col("twice", exprDecltype("float8"))));
        assertThat(result.get("rows")).isEqualTo(parse("[[{'type':'integer','value':'1'},{'type':'text','value':'first'},"
                + "{'type':'float','value':5.0}],[{'type':'integer','value':'2'},{'type':'text','value':'second'},{'type':'null'}]]"));
        assertThat(result.get("affected_row_count").asLong()).isEqualTo(2);
        assertThat(result.get("last_insert_rowid")).isEqualTo(lastInsertRowid(2));
    }

    @Test
    void shouldReturnRowsOfUpdateAndDeleteReturning() {
        String t = table();
        query("INSERT INTO " + t + "(id, name) VALUES (1, 'a'), (2, 'b')");

        JsonNode update = query("UPDATE " + t + " SET name = name || '!' RETURNING name");
        JsonNode delete = query("DELETE FROM " + t + " WHERE id = ? RETURNING id", integer(2));

        assertThat(update.get("rows")).hasSize(2);
        assertThat(update.get("affected_row_count").asLong()).isEqualTo(2);
        assertThat(delete.get("rows")).isEqualTo(parse("[[{'type':'integer','value':'2'}]]"));
        assertThat(delete.get("affected_row_count").asLong()).isEqualTo(1);
    }
}
