package io.jthulhu.node.bpf;

import io.jthulhu.node.bpf.layout.SharedLayout;
import io.jthulhu.node.bpf.layout.StatsLayout;
import java.nio.ByteBuffer;

/** A snapshot of the BPF-side counters in struct jt_shared, printed as the e2e harness parses them. */
public final class SchedulerStats {

    /**
     * One value of struct jt_shared, in print order. A counter without a key is not printed; one
     * with {@code samples} prints its sum divided by that counter; {@code divisor} scales the unit.
     */
    private enum Counter {
        QUEUED("queued", SharedLayout.STATS + StatsLayout.NR_QUEUED),
        JAVA_DISPATCHED("java_dispatched", SharedLayout.STATS + StatsLayout.NR_JAVA_DISPATCHED),
        FALLBACK("fallback", SharedLayout.STATS + StatsLayout.NR_FALLBACK_DISPATCHED),
        RING_FULL("ring_full", SharedLayout.STATS + StatsLayout.NR_RING_FULL),
        STALE("stale", SharedLayout.STATS + StatsLayout.NR_STALE),
        DIRECT_IDLE("direct_idle", SharedLayout.STATS + StatsLayout.NR_DIRECT_IDLE),
        DIRECT_KERNEL("direct_kernel", SharedLayout.STATS + StatsLayout.NR_DIRECT_KERNEL),
        DIRECT_USERSCHED("direct_usersched", SharedLayout.STATS + StatsLayout.NR_DIRECT_USERSCHED),
        DIRECT_PINNED("direct_pinned", SharedLayout.STATS + StatsLayout.NR_DIRECT_PINNED),
        BAD_DISPATCH("bad_dispatch", SharedLayout.STATS + StatsLayout.NR_BAD_DISPATCH),
        HEARTBEATS("heartbeats", SharedLayout.STATS + StatsLayout.NR_HEARTBEATS),
        KICKS("kicks", SharedLayout.STATS + StatsLayout.NR_KICKS),
        USER_PENDING("user_pending", SharedLayout.NR_USER_PENDING),
        DISPATCH_CALLS("dispatch_calls", SharedLayout.NR_DISPATCH_CALLS),
        SHARED_MOVES("shared_moves", SharedLayout.NR_SHARED_MOVES),
        SWEEP_NO_IDLE("sweep_no_idle", SharedLayout.NR_SWEEP_NO_IDLE),
        PREEMPT_KICKS("preempt_kicks", SharedLayout.NR_PREEMPT_KICKS),
        STARVED_MOVES("starved_moves", SharedLayout.NR_STARVED_MOVES),
        WAKEUP_DECISIONS("wakeup_decisions", SharedLayout.NR_WAKEUP_DECISIONS),
        WAKEUP_DECISION_NS("wakeup_decision_us", SharedLayout.WAKEUP_DECISION_NS, WAKEUP_DECISIONS, 1_000),
        WAKEUP_RUNS(null, SharedLayout.NR_WAKEUP_RUNS),
        WAKEUP_RUN_NS("wakeup_run_us", SharedLayout.WAKEUP_RUN_NS, WAKEUP_RUNS, 1_000),
        WAKEUP_SELF("wakeup_self", SharedLayout.NR_WAKEUP_SELF),
        WAKEUP_WAITING("wakeup_waiting", SharedLayout.NR_WAKEUP_WAITING),
        CPU_IDLE_NS("cpu_idle_ms", SharedLayout.CPU_IDLE_NS, null, 1_000_000),
        RESUMED("resumed", SharedLayout.NR_RESUMED),
        WAKE_DEFERRED("wake_deferred", SharedLayout.NR_WAKE_DEFERRED),
        WAKE_NUDGES("wake_nudges", SharedLayout.NR_WAKE_NUDGES),
        LOOP_PARKS("loop_parks", SharedLayout.NR_LOOP_PARKS),
        LOOP_UNPARKS("loop_unparks", SharedLayout.NR_LOOP_UNPARKS),
        PINNED_WAKEUPS("pinned_wakeups", SharedLayout.NR_PINNED_WAKEUPS),
        PINNED_UNPREEMPTIBLE("pinned_unpreemptible", SharedLayout.NR_PINNED_UNPREEMPTIBLE),
        PINNED_OUTRANKED("pinned_outranked", SharedLayout.NR_PINNED_OUTRANKED),
        PINNED_RUNS(null, SharedLayout.NR_PINNED_RUNS),
        PINNED_RUN_NS("pinned_run_us", SharedLayout.PINNED_RUN_NS, PINNED_RUNS, 1_000),
        KEPT_LAST("kept_last", SharedLayout.NR_KEPT_LAST),
        POLICY_RESOLVES("policy_resolves", SharedLayout.NR_POLICY_RESOLVES),
        CGROUP_EXITS("cgroup_exits", SharedLayout.NR_CGROUP_EXITS),
        CLASS_PREEMPTS("class_preempts", SharedLayout.NR_CLASS_PREEMPTS),
        THROTTLED("throttled", SharedLayout.NR_THROTTLED),
        UNTHROTTLED("unthrottled", SharedLayout.NR_UNTHROTTLED),
        NO_HEARTBEAT("no_heartbeat", SharedLayout.NR_NO_HEARTBEAT),
        WAKE_PREEMPTS("wake_preempts", SharedLayout.NR_WAKE_PREEMPTS),
        CLASS_REQUEUES("class_requeues", SharedLayout.NR_CLASS_REQUEUES);

        final String key;
        final int offset;
        final Counter samples;
        final long divisor;

        Counter(String key, int offset) {
            this(key, offset, null, 1);
        }

        Counter(String key, int offset, Counter samples, long divisor) {
            this.key = key;
            this.offset = offset;
            this.samples = samples;
            this.divisor = divisor;
        }
    }

    private static final Counter[] COUNTERS = Counter.values();

    /**
     * Every insert BPF made on its own, for any reason: each is a scheduling decision Java did not
     * make. A starvation move re-decides a task Java had placed, so it counts on both sides.
     */
    private static final Counter[] BPF_INSERTS = {
        Counter.FALLBACK, Counter.RING_FULL, Counter.NO_HEARTBEAT, Counter.DIRECT_IDLE, Counter.DIRECT_KERNEL,
        Counter.DIRECT_USERSCHED, Counter.DIRECT_PINNED, Counter.KEPT_LAST, Counter.CLASS_PREEMPTS,
        Counter.RESUMED, Counter.STARVED_MOVES, Counter.THROTTLED, Counter.UNTHROTTLED, Counter.WAKE_PREEMPTS,
        Counter.CLASS_REQUEUES,
    };

    private final long[] values = new long[COUNTERS.length];

    private SchedulerStats() {
    }

    public static SchedulerStats read(ByteBuffer shared) {
        SchedulerStats s = new SchedulerStats();
        for (Counter c : COUNTERS) {
            s.values[c.ordinal()] = shared.getLong(c.offset);
        }
        return s;
    }

    private long get(Counter c) {
        return values[c.ordinal()];
    }

    /** Share of the tasks that needed a decision which Java decided (1.0 when none needed one). */
    public double javaRatio() {
        long total = get(Counter.JAVA_DISPATCHED) + get(Counter.FALLBACK) + get(Counter.RING_FULL);
        return total == 0 ? 1.0 : (double) get(Counter.JAVA_DISPATCHED) / total;
    }

    /** Scheduling decisions BPF made without Java: see {@link #BPF_INSERTS}. */
    public long bpfInserts() {
        long sum = 0;
        for (Counter c : BPF_INSERTS) {
            sum += get(c);
        }
        return sum;
    }

    /** Share of all scheduling decisions, by BPF or Java for any reason, that Java made (1.0 when none). */
    public double javaShareAll() {
        long total = get(Counter.JAVA_DISPATCHED) + bpfInserts();
        return total == 0 ? 1.0 : (double) get(Counter.JAVA_DISPATCHED) / total;
    }

    /** The plain counters (no averages), by their printed keys: what /metrics exports. */
    public java.util.Map<String, Long> counters() {
        java.util.Map<String, Long> counters = new java.util.LinkedHashMap<>();
        for (Counter c : COUNTERS) {
            if (c.key != null && c.samples == null && c.divisor == 1 && c != Counter.USER_PENDING) {
                counters.put(c.key, get(c));
            }
        }
        return counters;
    }

    /** One line of space-separated key=value pairs, the format the e2e harness parses. */
    public String toKeyValues() {
        StringBuilder line = new StringBuilder(512);
        for (Counter c : COUNTERS) {
            if (c.key == null) {
                continue;
            }
            long value = get(c);
            if (c.samples != null) {
                long n = get(c.samples);
                value = n == 0 ? 0 : value / n;
            }
            line.append(line.length() == 0 ? "" : " ").append(c.key).append('=').append(value / c.divisor);
        }
        line.append(" bpf_inserts=").append(bpfInserts()).append(" java_ratio=");
        appendFraction(line, javaRatio());
        line.append(" java_share_all=");
        appendFraction(line, javaShareAll());
        return line.toString();
    }

    /**
     * A ratio in [0, 1] with four decimals, rounded half up. Not String.format: it parses its format
     * every call (a stats line's largest cost under TCG), and its decimal separator follows the locale.
     */
    static void appendFraction(StringBuilder line, double ratio) {
        long tenThousandths = Math.round(Math.max(0.0, Math.min(1.0, ratio)) * 10_000);
        String digits = Long.toString(10_000 + tenThousandths % 10_000);
        line.append(tenThousandths / 10_000).append('.').append(digits, 1, 5);
    }
}
