package io.jthulhu.node.agent;

/**
 * How the node agent runs the scheduler.
 *
 * @param fallbackNanos    a task that waits longer than this for Java is dispatched by BPF itself
 * @param sliceNanos       base time slice of the policy engine
 * @param heartbeatNanos   period of the BPF timer that keeps things moving when Java is late
 * @param directIdle       wakeups onto idle CPUs bypass Java while the machine is not over-committed
 * @param directPinned     single-CPU tasks without a policy are queued by BPF on their CPU, by deadline
 * @param statsIntervalMs  how often a stats line is printed (0: never)
 * @param lockMemory       mlockall the process so the scheduler never waits on a page fault
 * @param maxBackoffMs     longest wait before re-attaching after the kernel ejected the scheduler
 * @param preemptMarginNanos a waking task preempts a running one whose deadline is later by more than this
 * @param starvationNanos  a decision waiting longer in the deadline queue is served first-come first-served
 * @param minSliceNanos    no slice is shorter, however many tasks wait (the slice shrinks as the queue grows)
 * @param wakeBatchNanos   while every CPU is busy, a queued task that is not latency-critical wakes the
 *                         scheduling loop only after the oldest such task waited this long (0: at once);
 *                         below fallbackNanos, or BPF would dispatch the batch itself
 * @param podStats         BPF accounts CPU time, switches and run-queue wait per pod with a policy
 * @param wakePreempt      a woken task that Java decided for before preempts at once in BPF, with that
 *                         decision's deadline offset and slice, when it beats a running task
 */
public record AgentConfig(long fallbackNanos, long sliceNanos, long heartbeatNanos, boolean directIdle,
                          boolean directPinned, long statsIntervalMs, boolean lockMemory, long maxBackoffMs,
                          long preemptMarginNanos, long starvationNanos, long minSliceNanos, long wakeBatchNanos,
                          boolean podStats, boolean wakePreempt) {

    public AgentConfig {
        requireRange("fallbackNanos", fallbackNanos, 1_000_000L, 2_000_000_000L); // well under the 5 s watchdog
        requireRange("sliceNanos", sliceNanos, 50_000L, 1_000_000_000L);
        requireRange("heartbeatNanos", heartbeatNanos, 1_000_000L, 1_000_000_000L);
        requireRange("statsIntervalMs", statsIntervalMs, 0, 3_600_000L);
        requireRange("maxBackoffMs", maxBackoffMs, 0, 600_000L);
        requireRange("preemptMarginNanos", preemptMarginNanos, 1L, 1_000_000_000L);
        requireRange("starvationNanos", starvationNanos, 10_000_000L, 4_000_000_000L); // under the 5 s watchdog
        requireRange("minSliceNanos", minSliceNanos, 10_000L, sliceNanos);
        requireRange("wakeBatchNanos", wakeBatchNanos, 0, Math.min(100_000_000L, fallbackNanos / 2));
    }

    private static void requireRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
