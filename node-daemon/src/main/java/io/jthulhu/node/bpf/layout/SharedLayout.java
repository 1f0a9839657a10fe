package io.jthulhu.node.bpf.layout;

/** struct jt_shared: the BPF program's .bss, memory-mapped by Java. */
public final class SharedLayout {
    public static final int STATS = 0;
    public static final int NR_USER_PENDING = STATS + StatsLayout.SIZE;
    public static final int JAVA_HEARTBEAT_NS = NR_USER_PENDING + 8;
    public static final int JAVA_DISPATCH_SEQ = JAVA_HEARTBEAT_NS + 8;
    public static final int NR_CPUS = JAVA_DISPATCH_SEQ + 8;
    public static final int PAD = NR_CPUS + 4;
    public static final int CPU_IDLE = PAD + 4;
    public static final int EXIT = CPU_IDLE + Abi.MAX_CPUS;
    /** Appended after ABI v1 (no offset above moved). */
    public static final int NR_NO_HEARTBEAT = EXIT + ExitInfoLayout.SIZE;
    public static final int NR_HEARTBEAT_RESTARTS = NR_NO_HEARTBEAT + 8;
    public static final int NR_DISPATCH_CALLS = NR_HEARTBEAT_RESTARTS + 8;
    public static final int NR_SHARED_MOVES = NR_DISPATCH_CALLS + 8;
    public static final int NR_SWEEP_NO_IDLE = NR_SHARED_MOVES + 8;
    public static final int SCHEDULER_TID = NR_SWEEP_NO_IDLE + 8;
    public static final int NR_PREEMPT_KICKS = SCHEDULER_TID + 8;
    public static final int NR_STARVED_MOVES = NR_PREEMPT_KICKS + 8;
    public static final int NR_WAKEUP_DECISIONS = NR_STARVED_MOVES + 8;
    public static final int WAKEUP_DECISION_NS = NR_WAKEUP_DECISIONS + 8;
    public static final int NR_WAKEUP_RUNS = WAKEUP_DECISION_NS + 8;
    public static final int WAKEUP_RUN_NS = NR_WAKEUP_RUNS + 8;
    public static final int NR_WAKEUP_SELF = WAKEUP_RUN_NS + 8;
    public static final int NR_WAKEUP_WAITING = NR_WAKEUP_SELF + 8;
    public static final int CPU_IDLE_NS = NR_WAKEUP_WAITING + 8;
    public static final int NR_RESUMED = CPU_IDLE_NS + 8;
    public static final int NR_WAKE_DEFERRED = NR_RESUMED + 8;
    public static final int NR_WAKE_NUDGES = NR_WAKE_DEFERRED + 8;
    public static final int JAVA_LOOP_IDLE = NR_WAKE_NUDGES + 8;
    public static final int LOOP_WANTED = JAVA_LOOP_IDLE + 4;
    public static final int NR_LOOP_PARKS = LOOP_WANTED + 4;
    public static final int NR_LOOP_UNPARKS = NR_LOOP_PARKS + 8;
    public static final int NR_PINNED_WAKEUPS = NR_LOOP_UNPARKS + 8;
    public static final int NR_PINNED_UNPREEMPTIBLE = NR_PINNED_WAKEUPS + 8;
    public static final int NR_PINNED_OUTRANKED = NR_PINNED_UNPREEMPTIBLE + 8;
    public static final int NR_PINNED_RUNS = NR_PINNED_OUTRANKED + 8;
    public static final int PINNED_RUN_NS = NR_PINNED_RUNS + 8;
    public static final int NR_KEPT_LAST = PINNED_RUN_NS + 8;
    public static final int POLICY_EPOCH = NR_KEPT_LAST + 8;
    public static final int NR_POLICY_RESOLVES = POLICY_EPOCH + 8;
    public static final int NR_CGROUP_EXITS = NR_POLICY_RESOLVES + 8;
    public static final int NR_CLASS_PREEMPTS = NR_CGROUP_EXITS + 8;
    public static final int NR_THROTTLED = NR_CLASS_PREEMPTS + 8;
    public static final int NR_UNTHROTTLED = NR_THROTTLED + 8;
    public static final int NR_WAKE_PREEMPTS = NR_UNTHROTTLED + 8;
    public static final int NR_CLASS_REQUEUES = NR_WAKE_PREEMPTS + 8;
    public static final int SIZE = NR_CLASS_REQUEUES + 8;

    public static final StructLayout DESCRIPTOR = StructLayout.builder("jt_shared", SIZE)
            .struct("stats", STATS, StatsLayout.DESCRIPTOR)
            .field("nr_user_pending", NR_USER_PENDING, 8)
            .field("java_heartbeat_ns", JAVA_HEARTBEAT_NS, 8)
            .field("java_dispatch_seq", JAVA_DISPATCH_SEQ, 8)
            .field("nr_cpus", NR_CPUS, 4)
            .field("pad", PAD, 4)
            .field("cpu_idle", CPU_IDLE, Abi.MAX_CPUS)
            .struct("exit", EXIT, ExitInfoLayout.DESCRIPTOR)
            .field("nr_no_heartbeat", NR_NO_HEARTBEAT, 8)
            .field("nr_heartbeat_restarts", NR_HEARTBEAT_RESTARTS, 8)
            .field("nr_dispatch_calls", NR_DISPATCH_CALLS, 8)
            .field("nr_shared_moves", NR_SHARED_MOVES, 8)
            .field("nr_sweep_no_idle", NR_SWEEP_NO_IDLE, 8)
            .field("scheduler_tid", SCHEDULER_TID, 8)
            .field("nr_preempt_kicks", NR_PREEMPT_KICKS, 8)
            .field("nr_starved_moves", NR_STARVED_MOVES, 8)
            .field("nr_wakeup_decisions", NR_WAKEUP_DECISIONS, 8)
            .field("wakeup_decision_ns", WAKEUP_DECISION_NS, 8)
            .field("nr_wakeup_runs", NR_WAKEUP_RUNS, 8)
            .field("wakeup_run_ns", WAKEUP_RUN_NS, 8)
            .field("nr_wakeup_self", NR_WAKEUP_SELF, 8)
            .field("nr_wakeup_waiting", NR_WAKEUP_WAITING, 8)
            .field("cpu_idle_ns", CPU_IDLE_NS, 8)
            .field("nr_resumed", NR_RESUMED, 8)
            .field("nr_wake_deferred", NR_WAKE_DEFERRED, 8)
            .field("nr_wake_nudges", NR_WAKE_NUDGES, 8)
            .field("java_loop_idle", JAVA_LOOP_IDLE, 4)
            .field("loop_wanted", LOOP_WANTED, 4)
            .field("nr_loop_parks", NR_LOOP_PARKS, 8)
            .field("nr_loop_unparks", NR_LOOP_UNPARKS, 8)
            .field("nr_pinned_wakeups", NR_PINNED_WAKEUPS, 8)
            .field("nr_pinned_unpreemptible", NR_PINNED_UNPREEMPTIBLE, 8)
            .field("nr_pinned_outranked", NR_PINNED_OUTRANKED, 8)
            .field("nr_pinned_runs", NR_PINNED_RUNS, 8)
            .field("pinned_run_ns", PINNED_RUN_NS, 8)
            .field("nr_kept_last", NR_KEPT_LAST, 8)
            .field("policy_epoch", POLICY_EPOCH, 8)
            .field("nr_policy_resolves", NR_POLICY_RESOLVES, 8)
            .field("nr_cgroup_exits", NR_CGROUP_EXITS, 8)
            .field("nr_class_preempts", NR_CLASS_PREEMPTS, 8)
            .field("nr_throttled", NR_THROTTLED, 8)
            .field("nr_unthrottled", NR_UNTHROTTLED, 8)
            .field("nr_wake_preempts", NR_WAKE_PREEMPTS, 8)
            .field("nr_class_requeues", NR_CLASS_REQUEUES, 8)
            .build();

    private SharedLayout() {
    }
}
