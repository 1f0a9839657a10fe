package io.jthulhu.node.metrics;

import java.util.Arrays;
import java.util.Objects;

/**
 * Cumulative scheduling counters of one pod, as read from BPF. {@code waitBuckets} holds the
 * run-queue waits counted per bucket of {@link NodeMetrics#WAIT_BUCKET_SECONDS} (not cumulative),
 * plus a last entry for waits above the largest bound; {@code waitSumNanos} is their total.
 * A null policy or class is reported as "none".
 */
public record PodSample(String namespace, String pod, String policy, String schedulingClass, long cpuTimeNanos,
        long contextSwitches, long[] waitBuckets, long waitSumNanos) {

    public PodSample {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pod, "pod");
        policy = policy == null ? "none" : policy;
        schedulingClass = schedulingClass == null ? "none" : schedulingClass;
        Objects.requireNonNull(waitBuckets, "waitBuckets");
        if (waitBuckets.length != NodeMetrics.WAIT_BUCKET_SECONDS.length + 1) {
            throw new IllegalArgumentException("waitBuckets needs " + (NodeMetrics.WAIT_BUCKET_SECONDS.length + 1)
                    + " entries (the last for +Inf), got " + waitBuckets.length);
        }
        // Copied: the sampler may reuse its array for the next read while a scrape renders this one.
        waitBuckets = waitBuckets.clone();
    }

    /** A copy: the sample is shared with scrapes on the HTTP thread. */
    @Override
    public long[] waitBuckets() {
        return waitBuckets.clone();
    }

    long waitBucket(int i) {
        return waitBuckets[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PodSample s && namespace.equals(s.namespace) && pod.equals(s.pod)
                && policy.equals(s.policy) && schedulingClass.equals(s.schedulingClass)
                && cpuTimeNanos == s.cpuTimeNanos && contextSwitches == s.contextSwitches
                && Arrays.equals(waitBuckets, s.waitBuckets) && waitSumNanos == s.waitSumNanos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, pod, policy, schedulingClass, cpuTimeNanos, contextSwitches,
                Arrays.hashCode(waitBuckets), waitSumNanos);
    }

    @Override
    public String toString() {
        return "PodSample[" + namespace + "/" + pod + ", policy=" + policy + ", class=" + schedulingClass
                + ", cpu=" + cpuTimeNanos + "ns, switches=" + contextSwitches + ", waits="
                + Arrays.toString(waitBuckets) + ", waitSum=" + waitSumNanos + "ns]";
    }
}
