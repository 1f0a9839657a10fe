package io.jthulhu.node.bpf.layout;

/** struct jt_stats: counters written by BPF only. */
public final class StatsLayout {
    public static final int NR_QUEUED = 0;
    public static final int NR_JAVA_DISPATCHED = 8;
    public static final int NR_FALLBACK_DISPATCHED = 16;
    public static final int NR_RING_FULL = 24;
    public static final int NR_STALE = 32;
    public static final int NR_DIRECT_IDLE = 40;
    public static final int NR_DIRECT_KERNEL = 48;
    public static final int NR_DIRECT_USERSCHED = 56;
    public static final int NR_DIRECT_PINNED = 64;
    public static final int NR_BAD_DISPATCH = 72;
    public static final int NR_HEARTBEATS = 80;
    public static final int NR_KICKS = 88;
    public static final int SIZE = 96;

    public static final StructLayout DESCRIPTOR = StructLayout.builder("jt_stats", SIZE)
            .field("nr_queued", NR_QUEUED, 8)
            .field("nr_java_dispatched", NR_JAVA_DISPATCHED, 8)
            .field("nr_fallback_dispatched", NR_FALLBACK_DISPATCHED, 8)
            .field("nr_ring_full", NR_RING_FULL, 8)
            .field("nr_stale", NR_STALE, 8)
            .field("nr_direct_idle", NR_DIRECT_IDLE, 8)
            .field("nr_direct_kernel", NR_DIRECT_KERNEL, 8)
            .field("nr_direct_usersched", NR_DIRECT_USERSCHED, 8)
            .field("nr_direct_pinned", NR_DIRECT_PINNED, 8)
            .field("nr_bad_dispatch", NR_BAD_DISPATCH, 8)
            .field("nr_heartbeats", NR_HEARTBEATS, 8)
            .field("nr_kicks", NR_KICKS, 8)
            .build();

    private StatsLayout() {
    }
}
