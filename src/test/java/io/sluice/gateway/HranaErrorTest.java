package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metrics.SluiceMetrics.RequestOutcome;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.FailureClass;
import io.sluice.sql.SqlErrors;
import io.sluice.sql.StatementException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The gateway's Hrana error vocabulary and the one translation of a throwable into it, without a server. */
class HranaErrorTest {

    /** The wire codes and statuses clients depend on, written out: renaming a constant must fail here. */
    @Test
    void shouldKeepEveryWireCodeAndStatusWhenTheVocabularyChanges() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("HRANA_PROTO_ERROR", 400);
        expected.put("STREAM_EXPIRED", 400);
        expected.put("UNAUTHORIZED", 401);
        expected.put("FORBIDDEN", 403);
        expected.put("REQUEST_TOO_LARGE", 413);
        expected.put("REQUEST_TIMEOUT", 408);
        expected.put("PRINCIPAL_STREAMS_EXHAUSTED", 429);
        expected.put("PRINCIPAL_LEASES_EXHAUSTED", 429);
        expected.put("PRINCIPAL_BODIES_EXHAUSTED", 429);
        expected.put("STREAMS_EXHAUSTED", 503);
        expected.put("SERVER_BUSY", 503);
        expected.put("SHUTTING_DOWN", 503);
        expected.put("BACKEND_UNAVAILABLE", 503);
        expected.put("CIRCUIT_OPEN", 503);
        expected.put("INTERNAL", 500);
        expected.put("STREAM_CLOSED", 200);
        expected.put("STREAM_NOT_OPEN", 200);
        expected.put("CURSOR_NOT_OPEN", 200);
        Map<String, Integer> actual = Arrays.stream(HranaError.values()).filter(e -> e.code() != null)
                .collect(Collectors.toMap(HranaError::code, HranaError::status, (a, b) -> a, LinkedHashMap::new));
        assertThat(actual).containsExactlyEntriesOf(expected);
        assertThat(HranaError.SESSION_FAILED.code()).isNull();
    }

    /** The status-and-string rules HranaRoutes.outcome applied before the vocabulary, as the oracle. */
    @Test
    void shouldCountEveryErrorAsTheStatusAndCodeRulesDidWhenFailedWhole() {
        for (HranaError e : HranaError.values()) {
            if (e.status() == 200) {
                continue; // in-band only: never fails a request whole
            }
            String code = e.code();
            RequestOutcome legacy = switch (e.status()) {
                case 401, 403 -> RequestOutcome.UNAUTHORIZED;
                case 429 -> RequestOutcome.LIMITED;
                case 503 -> "CIRCUIT_OPEN".equals(code) ? RequestOutcome.CIRCUIT_OPEN
                        : "SHUTTING_DOWN".equals(code) ? RequestOutcome.SHUTTING_DOWN : RequestOutcome.UNAVAILABLE;
                case 500 -> RequestOutcome.SERVER_ERROR;
                case 413 -> RequestOutcome.TOO_LARGE; // was decided on the status before a ProtocolException was looked at
                default -> "STREAM_EXPIRED".equals(code) ? RequestOutcome.STREAM_EXPIRED : RequestOutcome.BAD_REQUEST;
            };
            assertThat(e.outcome()).as(e.name()).isEqualTo(legacy);
        }
    }

    @Test
    void shouldAdvertiseRetryAfterOnlyWhenARetryCanSucceed() {
        for (HranaError e : HranaError.values()) {
            assertThat(e.retryable()).as(e.name()).isEqualTo(e.status() == 429 || e.status() == 503);
        }
    }

    @Test
    void shouldTranslateThePoolsUnavailabilityToARetryable503WhenARequestFailsWhole() {
        ProtocolException p = ProtocolException.of(new BackendUnavailableException("No database connection within 5 s"));
        assertThat(p.error()).isEqualTo(HranaError.BACKEND_UNAVAILABLE);
        assertThat(p.status()).isEqualTo(503);
        assertThat(p.code()).isEqualTo("BACKEND_UNAVAILABLE");
        assertThat(p.retryAfterSeconds()).isEqualTo(1);
        assertThat(p.getMessage()).isEqualTo("No database connection within 5 s");
    }

    @Test
    void shouldKeepTheStatementsCodeWhenASessionCannotBeSetUp() {
        ProtocolException p = ProtocolException.of(new StatementException("SQLITE_IOERR", "disk I/O error"));
        assertThat(p.error()).isEqualTo(HranaError.SESSION_FAILED);
        assertThat(p.status()).isEqualTo(503);
        assertThat(p.code()).isEqualTo("SQLITE_IOERR");
        assertThat(p.retryAfterSeconds()).isEqualTo(1);
        assertThat(p.outcome()).isEqualTo(RequestOutcome.UNAVAILABLE);
    }

    @Test
    void shouldAnswerAnUnexpectedFailureAsInternalWithoutItsDetails() {
        ProtocolException p = ProtocolException.of(new IllegalStateException("secret jdbc:postgresql://db:5432/x"));
        assertThat(p.error()).isEqualTo(HranaError.INTERNAL);
        assertThat(p.status()).isEqualTo(500);
        assertThat(p.code()).isEqualTo("INTERNAL");
        assertThat(p.getMessage()).doesNotContain("jdbc").isEqualTo("Internal server error");
        assertThat(p.retryAfterSeconds()).isNull();
    }

    @Test
    void shouldPassAProtocolExceptionThroughUnchanged() {
        ProtocolException refusal = HranaError.SHUTTING_DOWN.exception("draining");
        assertThat(ProtocolException.of(refusal)).isSameAs(refusal);
        assertThat(refusal.retryAfterSeconds()).isEqualTo(1);
        assertThat(ProtocolException.badRequest("Invalid baton").code()).isEqualTo("HRANA_PROTO_ERROR");
    }

    @Test
    void shouldReportTheSameCodeInBandWhenTheResponseHasBegun() {
        StatementException own = new StatementException("SQLITE_BUSY", "database is locked");
        assertThat(ProtocolException.inBand(own)).isSameAs(own);
        StatementException unavailable = ProtocolException.inBand(new BackendUnavailableException("no connection"));
        assertThat(unavailable.code()).isEqualTo("BACKEND_UNAVAILABLE");
        assertThat(unavailable.getMessage()).isEqualTo("no connection");
        assertThat(HranaError.STREAM_NOT_OPEN.statement("Stream 3 has failed to open").code()).isEqualTo("STREAM_NOT_OPEN");
    }

    /** sql.SqlErrors cannot see this package, so it names the code itself: the two must agree. */
    @Test
    void shouldBlameTheDatabaseForAnInBandUnavailabilityWhenTheBreakerClassifiesIt() {
        assertThat(SqlErrors.classifyCode(HranaError.BACKEND_UNAVAILABLE.code())).isEqualTo(FailureClass.CONNECTION);
    }
}
