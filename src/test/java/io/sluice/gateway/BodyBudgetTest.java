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
    void shouldLetOneCallersLargeRequestsHoldHalfTheBudgetOrOneRequestOfAnySizeButNoMore() {
        BodyBudget budget = new BodyBudget(16 * MIB);

        assertThat(budget.reserve("alice", 10 * MIB, 10 * MIB)).as("one request alone, over half").isEqualTo(BodyBudget.Admission.RESERVED);
        assertThat(budget.reserve("alice", 100 * 1024, 100 * 1024)).as("another large one, once over half")
                .isEqualTo(BodyBudget.Admission.OVER_CALLER_SHARE);
        assertThat(budget.reserve("alice", 1024, 1024)).as("a small one: the budget's limits only").isEqualTo(BodyBudget.Admission.RESERVED);
        budget.release("alice", 1024);
        assertThat(budget.reserve("bob", 4 * MIB, 4 * MIB)).as("another caller").isEqualTo(BodyBudget.Admission.RESERVED);
        assertThat(budget.reserve("carol", 1 * MIB, 1 * MIB)).as("the budget's own limit for large requests")
                .isEqualTo(BodyBudget.Admission.BUSY);
        assertThat(budget.reserve(null, 1024, 1024)).as("no caller: the budget's limits only").isEqualTo(BodyBudget.Admission.RESERVED);

        budget.release("alice", 10 * MIB);
        assertThat(budget.reservedBy("alice")).isZero();
        assertThat(budget.reserve("alice", 4 * MIB, 4 * MIB)).isEqualTo(BodyBudget.Admission.RESERVED);
        assertThat(budget.reserve("alice", 4 * MIB, 4 * MIB)).as("up to half").isEqualTo(BodyBudget.Admission.RESERVED);
        assertThat(budget.reserve("alice", 1, 1)).as("small").isEqualTo(BodyBudget.Admission.RESERVED);
        assertThat(budget.reserve("alice", 65 * 1024, 65 * 1024)).isEqualTo(BodyBudget.Admission.OVER_CALLER_SHARE);
        budget.release("alice", 1);
        assertThat(budget.reservedBy("alice")).isEqualTo(8 * MIB);
        assertThat(budget.reserved()).isEqualTo(12 * MIB + 1024);
    }

    @Test
    void shouldCountTheReadsOfOneLargeMessageAsOneRequestAgainstItsCallersShare() {
        BodyBudget budget = new BodyBudget(16 * MIB);

        // a 12 MiB message arriving in 1 MiB reads: its size so far is one request's
        for (long size = MIB; size <= 12 * MIB; size += MIB) {
            assertThat(budget.reserve("alice", MIB, size)).as("at %d bytes", size).isEqualTo(BodyBudget.Admission.RESERVED);
        }
        assertThat(budget.reserve("alice", 100 * 1024, 100 * 1024)).as("a second large message beside it")
                .isEqualTo(BodyBudget.Admission.OVER_CALLER_SHARE);
        budget.release("alice", 12 * MIB);
        assertThat(budget.reserved()).isZero();
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
