package io.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlagSetTest {

    private static FlagSet defaults(String... props) {
        return FlagDecisions.defaults(TestConfig.with(props));
    }

    @Test
    void shouldTurnEverythingOnButDetailedLoggingByDefault() {
        assertThat(defaults().decide("anyone")).isEqualTo(Features.ALL);
    }

    @Test
    void shouldTakeDefaultsFromFeatureAndRolloutProperties() {
        FlagSet set = defaults("sluice.features.circuit-breaker", "false", "sluice.flags.rollout.connection-pool", "25");
        assertThat(set.flags().get("ENABLE_CIRCUIT_BREAKER").enabled()).isFalse();
        assertThat(set.flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(25);
        assertThat(set.decide("x").breaker()).isFalse();
    }

    @Test
    void shouldApplyAPartialRolloutExactlyToKeysInsideTheBucket() {
        FlagSet set = defaults().with(new Flag("ENABLE_CONNECTION_POOL", true, 30));
        int in = 0;
        for (int i = 0; i < 500; i++) {
            String key = "user-" + i;
            boolean expected = Buckets.bucket("ENABLE_CONNECTION_POOL", key) <= 30;
            assertThat(set.decide(key).pool()).as(key).isEqualTo(expected);
            assertThat(set.decide(key).breaker()).isTrue();
            in += expected ? 1 : 0;
        }
        assertThat(in).isBetween(100, 200);
    }

    @Test
    void shouldDecideEveryPartiallyRolledOutFlagByItsOwnBucketWhenSeveralAreRolledOutAtOnce() {
        // four partial flags: one group of three hashed together and one left over; keys short and long
        FlagSet set = defaults().with(new Flag("ENABLE_CONNECTION_POOL", true, 30)).with(new Flag("ENABLE_STATE_MACHINE", true, 60))
                .with(new Flag("ENABLE_CIRCUIT_BREAKER", true, 45)).with(new Flag("ENABLE_ENTERPRISE_MONITORING", true, 80));
        for (int i = 0; i < 2_000; i++) {
            String key = i % 3 == 0 ? Integer.toString(i % 100) : "tenant-" + i + "-ключ".repeat(i % 2);
            Features f = set.decide(key);
            assertThat(f.pool()).as(key).isEqualTo(Buckets.bucket("ENABLE_CONNECTION_POOL", key) <= 30);
            assertThat(f.stateMachine()).as(key).isEqualTo(Buckets.bucket("ENABLE_STATE_MACHINE", key) <= 60);
            assertThat(f.breaker()).as(key).isEqualTo(Buckets.bucket("ENABLE_CIRCUIT_BREAKER", key) <= 45);
            assertThat(f.detailedMonitoring()).as(key).isEqualTo(Buckets.bucket("ENABLE_ENTERPRISE_MONITORING", key) <= 80);
        }
    }

    @Test
    void shouldDecideAStreamIdAsItsHexString() {
        FlagSet set = defaults().with(new Flag("ENABLE_CONNECTION_POOL", true, 30)).with(new Flag("ENABLE_STATE_MACHINE", true, 60))
                .with(new Flag("ENABLE_CIRCUIT_BREAKER", true, 45));
        SplittableRandom random = new SplittableRandom(17);
        List<Long> ids = new ArrayList<>(List.of(0L, 1L, 15L, 16L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
        for (int i = 0; i < 2_000; i++) {
            // every digit count from 1 to 16
            ids.add(random.nextLong() >>> (4 * (i % 16)));
        }
        for (long id : ids) {
            String hex = Long.toHexString(id);
            assertThat(FlagSet.hexDigits(id)).as(hex).isEqualTo(hex.getBytes(StandardCharsets.US_ASCII));
            assertThat(set.decide(id)).as(hex).isEqualTo(set.compute(hex));
        }
    }

    @Test
    void shouldTreatZeroPercentAndDisabledAsOffForEveryone() {
        FlagSet set = defaults().with(new Flag("ENABLE_STATE_MACHINE", true, 0)).with(new Flag("ENABLE_CIRCUIT_BREAKER", false, 100));
        for (int i = 0; i < 200; i++) {
            Features f = set.decide("k" + i);
            assertThat(f.stateMachine()).isFalse();
            assertThat(f.breaker()).isFalse();
            assertThat(f.pool()).isTrue();
        }
    }

    @Test
    void shouldTurnOffPoolStateMachineAndBreakerButKeepMonitoringWhenKilled() {
        FlagSet set = defaults().with(new Killswitch(true, "outage", "alice", Instant.now()));
        Features f = set.decide("anyone");
        assertThat(f.pool()).isFalse();
        assertThat(f.stateMachine()).isFalse();
        assertThat(f.breaker()).isFalse();
        assertThat(f.detailedMonitoring()).isTrue();
        assertThat(set.applies("ENABLE_CONNECTION_POOL", "anyone")).isFalse();
        assertThat(set.applies("ENABLE_ENTERPRISE_MONITORING", "anyone")).isTrue();
    }

    @Test
    void shouldAnswerOperatorDefinedFlagsAndNeverAnUnknownOne() {
        FlagSet set = defaults().with(new Flag("checkout-v2", true, 50));
        int in = 0;
        for (int i = 0; i < 1000; i++) {
            boolean applies = set.applies("checkout-v2", "user-" + i);
            assertThat(applies).isEqualTo(Buckets.bucket("checkout-v2", "user-" + i) <= 50);
            in += applies ? 1 : 0;
        }
        assertThat(in).isBetween(430, 570);
        assertThat(set.applies("no-such-flag", "user-1")).isFalse();
    }

    @Test
    void shouldRefuseRolloutsOutsideZeroToHundredNamingTheField() {
        assertThatThrownBy(() -> new Flag("ENABLE_CONNECTION_POOL", true, 101))
                .isInstanceOfSatisfying(FlagException.class, e -> assertThat(e.field()).isEqualTo("rollout"));
        assertThatThrownBy(() -> new Flag("bad name!", true, 1))
                .isInstanceOfSatisfying(FlagException.class, e -> assertThat(e.field()).isEqualTo("flag"));
    }

    @Test
    void shouldDecodeTheHumanEditableFormat() {
        FlagSet set = FlagCodec.decode(Map.of(
                "ENABLE_CONNECTION_POOL", "enabled=true rollout=25",
                "ENABLE_DETAILED_LOGGING", "on",
                "MY_FLAG", "rollout=10%, enabled=false",
                "killswitch", "# pulled during the incident\nactive=true\nreason=db failover\nby=bob\nat=2026-11-28T03:00:00Z\n"),
                defaults());
        assertThat(set.flags().get("ENABLE_CONNECTION_POOL")).isEqualTo(new Flag("ENABLE_CONNECTION_POOL", true, 25));
        assertThat(set.flags().get("ENABLE_DETAILED_LOGGING").enabled()).isTrue();
        assertThat(set.flags().get("MY_FLAG")).isEqualTo(new Flag("MY_FLAG", false, 10));
        assertThat(set.killswitch()).isEqualTo(new Killswitch(true, "db failover", "bob", Instant.parse("2026-11-28T03:00:00Z")));
        assertThat(FlagCodec.decodeKillswitch(FlagCodec.encodeKillswitch(set.killswitch()))).isEqualTo(set.killswitch());
    }

    @Test
    void shouldRejectCorruptValuesNamingTheKey() {
        assertThatThrownBy(() -> FlagCodec.decode(Map.of("ENABLE_CIRCUIT_BREAKER", "enabled=true rollout=lots"), defaults()))
                .isInstanceOfSatisfying(FlagException.class, e -> {
                    assertThat(e.field()).isEqualTo("ENABLE_CIRCUIT_BREAKER");
                    assertThat(e.getMessage()).contains("rollout").contains("lots");
                });
        assertThatThrownBy(() -> FlagCodec.decode(Map.of("ENABLE_CIRCUIT_BREAKER", "rollout=150"), defaults()))
                .isInstanceOf(FlagException.class).hasMessageContaining("0..100");
        assertThatThrownBy(() -> FlagCodec.decode(Map.of("killswitch", "active=maybe"), defaults()))
                .isInstanceOf(FlagException.class).hasMessageContaining("killswitch");
    }
}
