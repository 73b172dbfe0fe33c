package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.jsNumber;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ArgumentsTest} against PostgreSQL. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class ArgumentsPostgresTest extends ArgumentsTest {

    @Test
    @Override
    void shouldBindJavaScriptNumbersToNumberedParameters() {
        // typeof() is SQLite's; a float argument is bound as float8
        assertThat(rows(query("SELECT pg_typeof(?1)::text, ?1 + ?2", jsNumber(2), jsNumber(3))))
                .isEqualTo(parse("[[{'type':'text','value':'double precision'},{'type':'float','value':5.0}]]"));
    }

    @Test
    @Override
    void shouldNotTreatQuestionMarksInLiteralsOrCommentsAsParameters() {
        // "?" is an identifier on PostgreSQL (SQLite falls back to a string); its other literals are $$...$$ and E'...'
        JsonNode row = rows(query("SELECT '?', $$?$$, E'\\'?', ? /* ? :y */ -- trailing ? and :x\n", integer(5))).get(0);

        assertThat(row).containsExactly(text("?"), text("?"), text("'?"), integer(5));
    }
}
