package io.jthulhu.node.bpf.layout;

/** struct jt_pod_stats: one CPU's copy of a value of the per-CPU pod_stats map. */
public final class PodStatsLayout {
    public static final int CPU_NS = 0;
    public static final int NR_SWITCHES = 8;
    public static final int WAIT_NS = 16;
    public static final int WAIT_BUCKETS = 24;
    public static final int SIZE = WAIT_BUCKETS + Abi.WAIT_BUCKETS * 8;

    public static final StructLayout DESCRIPTOR = StructLayout.builder("jt_pod_stats", SIZE)
            .field("cpu_ns", CPU_NS, 8)
            .field("nr_switches", NR_SWITCHES, 8)
            .field("wait_ns", WAIT_NS, 8)
            .field("wait_buckets", WAIT_BUCKETS, Abi.WAIT_BUCKETS * 8)
            .build();

    private PodStatsLayout() {
    }
}
