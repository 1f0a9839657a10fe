package io.jthulhu.crd;

/**
 * The scheduling class of a pod, with the defaults the node scheduler uses when a policy leaves
 * {@code sliceMicros} or {@code preempt} unset. Slices follow scx_rustland's range: 20 ms is the
 * sched_ext default slice and suits throughput work; latency-critical tasks get short slices and may
 * preempt so that they are dispatched within a millisecond.
 */
public enum SchedulingClass {
  LatencyCritical(1_000, true),
  Normal(5_000, false),
  Batch(20_000, false),
  Idle(20_000, false);

  private final long defaultSliceMicros;
  private final boolean defaultPreempt;

  SchedulingClass(long defaultSliceMicros, boolean defaultPreempt) {
    this.defaultSliceMicros = defaultSliceMicros;
    this.defaultPreempt = defaultPreempt;
  }

  public long defaultSliceMicros() {
    return defaultSliceMicros;
  }

  public boolean defaultPreempt() {
    return defaultPreempt;
  }
}
