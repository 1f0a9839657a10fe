package io.jthulhu.node.bpf;

import io.jthulhu.node.bpf.layout.SharedLayout;
import io.jthulhu.node.bpf.layout.StatsLayout;
import java.nio.ByteBuffer;

/** A snapshot of the BPF-side counters in struct jt_stats. */
public record SchedulerStats(long queued, long javaDispatched, long fallbackDispatched, long ringFull, long stale,
                             long directIdle, long directKernel, long directUsersched, long directPinned,
                             long badDispatch, long heartbeats, long kicks, long userPending,
                             long dispatchCalls, long sharedMoves, long sweepNoIdle, long preemptKicks,
                             long starvedMoves, long wakeupDecisions, long wakeupDecisionNs, long wakeupRuns,
                             long wakeupRunNs, long wakeupSelf, long wakeupWaiting, long cpuIdleNs,
                             long resumed) {

    public static SchedulerStats read(ByteBuffer shared) {
        return new SchedulerStats(
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_QUEUED),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_JAVA_DISPATCHED),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_FALLBACK_DISPATCHED),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_RING_FULL),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_STALE),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_DIRECT_IDLE),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_DIRECT_KERNEL),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_DIRECT_USERSCHED),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_DIRECT_PINNED),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_BAD_DISPATCH),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_HEARTBEATS),
                shared.getLong(SharedLayout.STATS + StatsLayout.NR_KICKS),
                shared.getLong(SharedLayout.NR_USER_PENDING),
                shared.getLong(SharedLayout.NR_DISPATCH_CALLS),
                shared.getLong(SharedLayout.NR_SHARED_MOVES),
                shared.getLong(SharedLayout.NR_SWEEP_NO_IDLE),
                shared.getLong(SharedLayout.NR_PREEMPT_KICKS),
                shared.getLong(SharedLayout.NR_STARVED_MOVES),
                shared.getLong(SharedLayout.NR_WAKEUP_DECISIONS),
                shared.getLong(SharedLayout.WAKEUP_DECISION_NS),
                shared.getLong(SharedLayout.NR_WAKEUP_RUNS),
                shared.getLong(SharedLayout.WAKEUP_RUN_NS),
                shared.getLong(SharedLayout.NR_WAKEUP_SELF),
                shared.getLong(SharedLayout.NR_WAKEUP_WAITING),
                shared.getLong(SharedLayout.CPU_IDLE_NS),
                shared.getLong(SharedLayout.NR_RESUMED));
    }

    /** Share of the tasks that needed a decision which Java decided (1.0 when none needed one). */
    public double javaRatio() {
        long total = javaDispatched + fallbackDispatched + ringFull;
        return total == 0 ? 1.0 : (double) javaDispatched / total;
    }

    /** Average in whole microseconds, 0 without samples. */
    private static long averageMicros(long sumNs, long samples) {
        return samples == 0 ? 0 : sumNs / samples / 1000;
    }

    /** One line of space-separated key=value pairs, the format the e2e harness parses. */
    public String toKeyValues() {
        return "queued=" + queued + " java_dispatched=" + javaDispatched + " fallback=" + fallbackDispatched
                + " ring_full=" + ringFull + " stale=" + stale + " direct_idle=" + directIdle
                + " direct_kernel=" + directKernel + " direct_usersched=" + directUsersched
                + " direct_pinned=" + directPinned + " bad_dispatch=" + badDispatch
                + " heartbeats=" + heartbeats + " kicks=" + kicks + " user_pending=" + userPending
                + " dispatch_calls=" + dispatchCalls + " shared_moves=" + sharedMoves + " sweep_no_idle=" + sweepNoIdle
                + " preempt_kicks=" + preemptKicks + " starved_moves=" + starvedMoves
                + " wakeup_decisions=" + wakeupDecisions + " wakeup_decision_us=" + averageMicros(wakeupDecisionNs, wakeupDecisions)
                + " wakeup_run_us=" + averageMicros(wakeupRunNs, wakeupRuns)
                + " wakeup_self=" + wakeupSelf + " wakeup_waiting=" + wakeupWaiting
                + " cpu_idle_ms=" + cpuIdleNs / 1_000_000 + " resumed=" + resumed
                + String.format(" java_ratio=%.4f", javaRatio());
    }
}
