package io.sluice.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The connection-pool feature off: every stream gets its own direct connection. The profile is
 * {@link DirectPathCapTest}'s (pool off, at most {@value DirectPathCap#CAP} direct connections, more than these
 * tests hold at once), so Quarkus boots once for both.
 */
@QuarkusTest
@TestProfile(DirectPathCapTest.PoolOff.class)
class LegacyPathTest {

    @Inject
    Backend backend;

    @Test
    void shouldOpenADirectConnectionPerStreamAndCloseItWithTheStream() {
        long createdBefore = backend.status().created();
        String baton = HranaCalls.openStream("BEGIN", "SELECT 1");

        PoolStatus during = backend.status();
        assertThat(during.direct()).isEqualTo(1);
        assertThat(during.active()).as("no pooled connection is leased").isZero();
        assertThat(backend.leases()).singleElement().extracting(LeaseView::pooled).isEqualTo(false);

        HranaCalls.close(baton);

        PoolStatus after = backend.status();
        assertThat(after.direct()).isZero();
        assertThat(after.created()).as("the pool opened nothing for it").isEqualTo(createdBefore);
        assertThat(backend.leases()).isEmpty();
    }

    @Test
    void shouldRollBackADirectStreamsTransactionWhenItCloses() {
        HranaCalls.openStream("CREATE TABLE IF NOT EXISTS legacy_rb (a)", "close");
        String baton = HranaCalls.openStream("BEGIN", "INSERT INTO legacy_rb VALUES (1)");
        HranaCalls.close(baton);

        String rows = HranaCalls.pipeline(null, "SELECT count(*) FROM legacy_rb", "close").jsonPath()
                .getString("results[0].response.result.rows[0][0].value");
        assertThat(rows).isEqualTo("0");
    }

    @Test
    void shouldLimitValueLengthOnDirectConnectionsAsOnPooledOnes() {
        // the direct path takes the pool's driver properties, SQLite's length limit (the response limit) included
        Response r = HranaCalls.pipeline(null, "SELECT length(zeroblob(10485760))", "SELECT length(zeroblob(10485761))", "close");

        assertThat(r.jsonPath().getString("results[0].response.result.rows[0][0].value")).isEqualTo("10485760");
        assertThat(r.jsonPath().getString("results[1].error.code")).isEqualTo("SQLITE_TOOBIG");
    }
}
