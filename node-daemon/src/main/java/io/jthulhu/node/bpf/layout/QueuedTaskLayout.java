package io.jthulhu.node.bpf.layout;

/** struct jt_queued_task: BPF -> Java, one per task waiting for a decision. */
public final class QueuedTaskLayout {
    public static final int PID = 0;
    public static final int TGID = 4;
    public static final int CGROUP_ID = 8;
    public static final int PREV_CPU = 16;
    public static final int NR_CPUS_ALLOWED = 20;
    public static final int WEIGHT = 24;
    public static final int FLAGS = 28;
    public static final int ENQ_FLAGS = 32;
    public static final int EXEC_RUNTIME = 40;
    public static final int NVCSW = 48;
    public static final int VTIME = 56;
    public static final int SEQ = 64;
    public static final int ENQUEUED_AT = 72;
    public static final int POLICY = 80;
    public static final int POLICY_SCHED_CLASS = POLICY + PolicyLayout.SCHED_CLASS;
    public static final int POLICY_WEIGHT = POLICY + PolicyLayout.WEIGHT;
    public static final int POLICY_SLICE_US = POLICY + PolicyLayout.SLICE_US;
    public static final int POLICY_FLAGS = POLICY + PolicyLayout.FLAGS;
    public static final int SIZE = 96;

    public static final StructLayout DESCRIPTOR = StructLayout.builder("jt_queued_task", SIZE)
            .field("pid", PID, 4)
            .field("tgid", TGID, 4)
            .field("cgroup_id", CGROUP_ID, 8)
            .field("prev_cpu", PREV_CPU, 4)
            .field("nr_cpus_allowed", NR_CPUS_ALLOWED, 4)
            .field("weight", WEIGHT, 4)
            .field("flags", FLAGS, 4)
            .field("enq_flags", ENQ_FLAGS, 8)
            .field("exec_runtime", EXEC_RUNTIME, 8)
            .field("nvcsw", NVCSW, 8)
            .field("vtime", VTIME, 8)
            .field("seq", SEQ, 8)
            .field("enqueued_at", ENQUEUED_AT, 8)
            .struct("policy", POLICY, PolicyLayout.DESCRIPTOR)
            .build();

    private QueuedTaskLayout() {
    }
}
