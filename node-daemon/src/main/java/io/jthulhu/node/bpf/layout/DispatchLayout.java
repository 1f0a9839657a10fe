package io.jthulhu.node.bpf.layout;

/** struct jt_dispatch: Java -> BPF, one decision per task. */
public final class DispatchLayout {
    public static final int PID = 0;
    public static final int CPU = 4;
    public static final int SLICE_NS = 8;
    public static final int VTIME = 16;
    public static final int SEQ = 24;
    public static final int FLAGS = 32;
    public static final int SCHED_CLASS = 36;
    public static final int SIZE = 40;

    public static final StructLayout DESCRIPTOR = StructLayout.builder("jt_dispatch", SIZE)
            .field("pid", PID, 4)
            .field("cpu", CPU, 4)
            .field("slice_ns", SLICE_NS, 8)
            .field("vtime", VTIME, 8)
            .field("seq", SEQ, 8)
            .field("flags", FLAGS, 4)
            .field("sched_class", SCHED_CLASS, 4)
            .build();

    private DispatchLayout() {
    }
}
