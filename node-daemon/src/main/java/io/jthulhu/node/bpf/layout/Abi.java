package io.jthulhu.node.bpf.layout;

/** The #defines and enums of bpf/intf.h. */
public final class Abi {
    /** JT_ABI_VERSION: bumped on any incompatible record change. */
    public static final int ABI_VERSION = 1;
    /** JT_CPU_ANY: the task runs on the first CPU free. */
    public static final int CPU_ANY = -1;
    /** JT_MAX_CPUS: CPUs covered by jt_shared.cpu_idle. */
    public static final int MAX_CPUS = 1024;

    /** JT_MAX_SLICE_NS: the longest jt_dispatch.slice_ns BPF accepts. */
    public static final long MAX_SLICE_NS = 1_000_000_000L;

    /** enum jt_sched_class */
    public static final int CLASS_NORMAL = 0;
    public static final int CLASS_LATENCY_CRITICAL = 1;
    public static final int CLASS_BATCH = 2;
    public static final int CLASS_IDLE = 3;

    /** enum jt_policy_flags */
    public static final int POLICY_PRESENT = 1;
    public static final int POLICY_PREEMPT = 1 << 1;

    /** enum jt_task_flags */
    public static final int TASK_WAKEUP = 1;
    public static final int TASK_PREV_CPU_IDLE = 1 << 1;
    public static final int TASK_KTHREAD = 1 << 2;

    /** enum jt_dispatch_flags: wakeup preemption by deadline, and of lower classes. */
    public static final int DISPATCH_PREEMPT = 1;
    public static final int DISPATCH_PREEMPT_CLASS = 1 << 1;

    /** enum jt_config_flags */
    public static final int CFG_DIRECT_PINNED = 1;
    public static final int CFG_DIRECT_IDLE = 1 << 1;
    public static final int CFG_POD_STATS = 1 << 2;
    public static final int CFG_WAKE_PREEMPT = 1 << 3;

    /** JT_WAIT_BUCKETS: run-queue wait buckets of struct jt_pod_stats, the last one unbounded. */
    public static final int WAIT_BUCKETS = 17;
    /** Upper bounds of the bounded buckets, in microseconds (the comment on JT_WAIT_BUCKETS). */
    public static final long[] WAIT_BUCKET_UPPER_US = {5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
            25_000, 50_000, 100_000, 250_000, 1_000_000};

    /** JT_EXIT_REASON_LEN, JT_EXIT_MSG_LEN */
    public static final int EXIT_REASON_LEN = 128;
    public static final int EXIT_MSG_LEN = 1024;
    /** JT_EXIT_DUMP_LEN: size of the exit_dump map value. */
    public static final int EXIT_DUMP_LEN = 32768;

    /** JT_WEIGHT_DEFAULT: weight of a nice-0 task (p->scx.weight); JT_WEIGHT_MIN/MAX: a policy's range. */
    public static final int WEIGHT_DEFAULT = 100;
    public static final int WEIGHT_MIN = 1;
    public static final int WEIGHT_MAX = 10_000;

    /** JT_DEFAULT_RUNTIME_CAP_NS: the policy engine's default runtime cap, which BPF's own deadlines use too. */
    public static final long DEFAULT_RUNTIME_CAP_NS = 100_000_000L;

    private Abi() {
    }
}
