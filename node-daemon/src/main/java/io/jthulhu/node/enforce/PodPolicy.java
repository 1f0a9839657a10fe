package io.jthulhu.node.enforce;

import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.node.bpf.layout.Abi;

/**
 * One pod's scheduling as BPF reads it (struct jt_policy). Built only from a valid
 * {@link EffectiveScheduling}: {@link #from} names the field and the reason otherwise.
 */
public record PodPolicy(int schedClass, int weight, int sliceMicros, boolean preempt) {
    /** The longest slice BPF accepts (JT_MAX_SLICE_NS). */
    public static final long MAX_SLICE_MICROS = Abi.MAX_SLICE_NS / 1_000;

    public PodPolicy {
        if (schedClass < Abi.CLASS_NORMAL || schedClass > Abi.CLASS_IDLE) {
            throw new IllegalArgumentException("class: unknown class number " + schedClass);
        }
    }

    public static PodPolicy from(EffectiveScheduling s) {
        if (s == null) {
            throw new IllegalArgumentException("scheduling: missing");
        }
        SchedulingClass c = s.getSchedulingClass();
        if (c == null) {
            throw new IllegalArgumentException("scheduling.class: missing or not a class this daemon knows");
        }
        if (s.getWeight() < Abi.WEIGHT_MIN || s.getWeight() > Abi.WEIGHT_MAX) {
            throw new IllegalArgumentException("scheduling.weight: " + s.getWeight() + " is outside "
                    + Abi.WEIGHT_MIN + ".." + Abi.WEIGHT_MAX);
        }
        if (s.getSliceMicros() < 0 || s.getSliceMicros() > MAX_SLICE_MICROS) {
            throw new IllegalArgumentException("scheduling.sliceMicros: " + s.getSliceMicros() + " is outside 0.."
                    + MAX_SLICE_MICROS);
        }
        int classNumber = switch (c) {
            case LatencyCritical -> Abi.CLASS_LATENCY_CRITICAL;
            case Normal -> Abi.CLASS_NORMAL;
            case Batch -> Abi.CLASS_BATCH;
            case Idle -> Abi.CLASS_IDLE;
        };
        return new PodPolicy(classNumber, s.getWeight(), (int) s.getSliceMicros(), s.isPreempt());
    }

    /** struct jt_policy.flags, without JT_POLICY_PRESENT (BPF sets that itself). */
    public int flags() {
        return preempt ? Abi.POLICY_PREEMPT : 0;
    }
}
