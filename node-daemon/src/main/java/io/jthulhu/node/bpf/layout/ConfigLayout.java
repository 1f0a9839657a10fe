package io.jthulhu.node.bpf.layout;

/** struct jt_config: tunables in .rodata, written between open and load. */
public final class ConfigLayout {
    public static final int USERSCHED_TGID = 0;
    public static final int FLAGS = 4;
    public static final int FALLBACK_NS = 8;
    public static final int DEFAULT_SLICE_NS = 16;
    public static final int HEARTBEAT_NS = 24;
    public static final int PREEMPT_MARGIN_NS = 32;
    public static final int STARVATION_NS = 40;
    public static final int WAKE_BATCH_NS = 48;
    public static final int SIZE = 56;

    public static final StructLayout DESCRIPTOR = StructLayout.builder("jt_config", SIZE)
            .field("usersched_tgid", USERSCHED_TGID, 4)
            .field("flags", FLAGS, 4)
            .field("fallback_ns", FALLBACK_NS, 8)
            .field("default_slice_ns", DEFAULT_SLICE_NS, 8)
            .field("heartbeat_ns", HEARTBEAT_NS, 8)
            .field("preempt_margin_ns", PREEMPT_MARGIN_NS, 8)
            .field("starvation_ns", STARVATION_NS, 8)
            .field("wake_batch_ns", WAKE_BATCH_NS, 8)
            .build();

    private ConfigLayout() {
    }
}
