package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyBudgetTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void shouldKeepTheLastPartOfTheBudgetForSmallRequestsWhileLargeOnesAreTurnedAway() {
        BodyBudget budget = new BodyBudget(16 * MIB);

        assertThat(budget.tryReserve(10 * MIB)).isTrue();
        assertThat(budget.tryReserve(5 * MIB)).as("a large request may not take the small requests' 2 MiB").isFalse();
        assertThat(budget.tryReserve(4 * MIB)).as("up to 14 MiB for large ones").isTrue();
        assertThat(budget.tryReserve(64 * 1024, 10 * MIB)).as("a piece of a large request counts as large").isFalse();
        assertThat(budget.tryReserve(200)).as("a small request still fits").isTrue();
        assertThat(budget.tryReserve(64 * 1024)).isTrue();

        budget.release(10 * MIB);
        assertThat(budget.tryReserve(5 * MIB)).isTrue();
        assertThat(budget.reserved()).isEqualTo(4 * MIB + 200 + 64 * 1024 + 5 * MIB);
    }

    @Test
    void shouldLetSmallRequestsUseTheWholeBudgetButNoMore() {
        BodyBudget budget = new BodyBudget(1000);

        assertThat(budget.tryReserve(1000)).isTrue();
        assertThat(budget.tryReserve(1)).isFalse();
        budget.release(1000);
        assertThat(budget.reserved()).isZero();
    }
}
