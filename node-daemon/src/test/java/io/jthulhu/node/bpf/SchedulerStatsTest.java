package io.jthulhu.node.bpf;

import io.jthulhu.node.bpf.layout.SharedLayout;
import io.jthulhu.node.bpf.layout.StatsLayout;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/** The stats line the e2e harness parses: every key, its unit, and the derived values. */
class SchedulerStatsTest {
    @Test
    void printsEveryCounterWithItsUnitAndTheDerivedValues() {
        ByteBuffer shared = ByteBuffer.allocate(SharedLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        shared.putLong(SharedLayout.STATS + StatsLayout.NR_QUEUED, 100);
        shared.putLong(SharedLayout.STATS + StatsLayout.NR_JAVA_DISPATCHED, 90);
        shared.putLong(SharedLayout.STATS + StatsLayout.NR_FALLBACK_DISPATCHED, 6);
        shared.putLong(SharedLayout.STATS + StatsLayout.NR_RING_FULL, 4);
        shared.putLong(SharedLayout.STATS + StatsLayout.NR_KICKS, 7);
        shared.putLong(SharedLayout.NR_USER_PENDING, 3);
        shared.putLong(SharedLayout.NR_WAKEUP_DECISIONS, 4);
        shared.putLong(SharedLayout.WAKEUP_DECISION_NS, 10_000_000);
        shared.putLong(SharedLayout.NR_WAKEUP_RUNS, 0);
        shared.putLong(SharedLayout.WAKEUP_RUN_NS, 123_456);
        shared.putLong(SharedLayout.CPU_IDLE_NS, 2_500_000_000L);
        shared.putLong(SharedLayout.NR_RESUMED, 11);
        shared.putLong(SharedLayout.NR_WAKE_DEFERRED, 12);
        shared.putLong(SharedLayout.NR_WAKE_NUDGES, 5);
        shared.putLong(SharedLayout.NR_LOOP_PARKS, 8);
        shared.putLong(SharedLayout.NR_LOOP_UNPARKS, 9);
        shared.putLong(SharedLayout.NR_PINNED_WAKEUPS, 20);
        shared.putLong(SharedLayout.NR_PINNED_UNPREEMPTIBLE, 2);
        shared.putLong(SharedLayout.NR_PINNED_OUTRANKED, 1);
        shared.putLong(SharedLayout.NR_PINNED_RUNS, 19);
        shared.putLong(SharedLayout.PINNED_RUN_NS, 19 * 250_000L);
        shared.putLong(SharedLayout.NR_KEPT_LAST, 13);
        shared.putLong(SharedLayout.POLICY_EPOCH, 77);
        shared.putLong(SharedLayout.NR_POLICY_RESOLVES, 14);
        shared.putLong(SharedLayout.NR_CGROUP_EXITS, 15);
        shared.putLong(SharedLayout.NR_CLASS_PREEMPTS, 16);
        shared.putLong(SharedLayout.NR_THROTTLED, 17);
        shared.putLong(SharedLayout.NR_UNTHROTTLED, 18);
        shared.putLong(SharedLayout.NR_CLASS_REQUEUES, 19);

        SchedulerStats stats = SchedulerStats.read(shared);

        assertThat(stats.javaRatio()).isEqualTo(0.9);
        // fallback 6 + ring_full 4 + kept_last 13 + class_preempts 16 + resumed 11 + throttled 17 + unthrottled 18
        // + class_requeues 19
        assertThat(stats.bpfInserts()).isEqualTo(104);
        assertThat(stats.toKeyValues()).isEqualTo("queued=100 java_dispatched=90 fallback=6 ring_full=4 stale=0"
                + " direct_idle=0 direct_kernel=0 direct_usersched=0 direct_pinned=0 bad_dispatch=0 heartbeats=0"
                + " kicks=7 user_pending=3 dispatch_calls=0 shared_moves=0 sweep_no_idle=0 preempt_kicks=0"
                + " starved_moves=0 wakeup_decisions=4 wakeup_decision_us=2500 wakeup_run_us=0 wakeup_self=0"
                + " wakeup_waiting=0 cpu_idle_ms=2500 resumed=11 wake_deferred=12 wake_nudges=5"
                + " loop_parks=8 loop_unparks=9 pinned_wakeups=20 pinned_unpreemptible=2 pinned_outranked=1"
                + " pinned_run_us=250 kept_last=13 policy_resolves=14 cgroup_exits=15 class_preempts=16"
                + " throttled=17 unthrottled=18 no_heartbeat=0 wake_preempts=0 class_requeues=19"
                + " bpf_inserts=104 java_ratio=0.9000 java_share_all=0.4639");
        assertThat(stats.counters()).containsEntry("queued", 100L).containsEntry("class_preempts", 16L)
                .doesNotContainKeys("user_pending", "wakeup_decision_us", "cpu_idle_ms");
    }

    @Test
    void ratiosPrintWithFourDecimalsRoundedHalfUp() {
        assertThat(fraction(0.0)).isEqualTo("0.0000");
        assertThat(fraction(1.0)).isEqualTo("1.0000");
        assertThat(fraction(0.05)).isEqualTo("0.0500");
        assertThat(fraction(0.46385)).isEqualTo("0.4639");
        assertThat(fraction(0.00004)).isEqualTo("0.0000");
        assertThat(fraction(0.99996)).isEqualTo("1.0000");
    }

    private static String fraction(double ratio) {
        StringBuilder line = new StringBuilder();
        SchedulerStats.appendFraction(line, ratio);
        return line.toString();
    }

    @Test
    void noTaskNeedingADecisionMeansAFullJavaRatio() {
        ByteBuffer shared = ByteBuffer.allocate(SharedLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(SchedulerStats.read(shared).javaRatio()).isEqualTo(1.0);
        assertThat(SchedulerStats.read(shared).javaShareAll()).isEqualTo(1.0);
    }
}
