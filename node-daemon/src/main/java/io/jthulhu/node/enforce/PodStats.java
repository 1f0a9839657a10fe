package io.jthulhu.node.enforce;

/**
 * Cumulative accounting of one policy cgroup's tasks, summed over CPUs (struct jt_pod_stats).
 *
 * @param waitBuckets run-queue waits per bucket, not cumulative; bounds in Abi.WAIT_BUCKET_UPPER_US,
 *                    the last bucket unbounded
 */
public record PodStats(long cpuNanos, long contextSwitches, long waitNanos, long[] waitBuckets) {
}
