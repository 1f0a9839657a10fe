package io.jthulhu.node.bpf.layout;

/** struct jt_policy: value of the cgroup_policy map. */
public final class PolicyLayout {
    public static final int SCHED_CLASS = 0;
    public static final int WEIGHT = 4;
    public static final int SLICE_US = 8;
    public static final int FLAGS = 12;
    public static final int SIZE = 16;

    public static final StructLayout DESCRIPTOR = StructLayout.builder("jt_policy", SIZE)
            .field("sched_class", SCHED_CLASS, 4)
            .field("weight", WEIGHT, 4)
            .field("slice_us", SLICE_US, 4)
            .field("flags", FLAGS, 4)
            .build();

    private PolicyLayout() {
    }
}
