package io.jthulhu.node.sched;

/**
 * Which CPUs are idle right now. The daemon backs it with jt_shared.cpu_idle[] in BPF memory
 * ({@link SharedCpuIdleView}); tests use their own. Called on the hot path: must not allocate.
 */
@FunctionalInterface
public interface CpuIdleView {
    /** True if {@code cpu} (0 <= cpu < nr CPUs of the topology) is idle. */
    boolean isIdle(int cpu);
}
