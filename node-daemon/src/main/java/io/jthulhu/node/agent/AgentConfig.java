package io.jthulhu.node.agent;

/**
 * How the node agent runs the scheduler.
 *
 * @param fallbackNanos    a task that waits longer than this for Java is dispatched by BPF itself
 * @param sliceNanos       base time slice of the policy engine
 * @param heartbeatNanos   period of the BPF timer that keeps things moving when Java is late
 * @param directIdle       wakeups onto idle CPUs bypass Java while the machine is not over-committed
 * @param directPinned     single-CPU tasks bypass Java
 * @param statsIntervalMs  how often a stats line is printed (0: never)
 * @param lockMemory       mlockall the process so the scheduler never waits on a page fault
 * @param maxBackoffMs     longest wait before re-attaching after the kernel ejected the scheduler
 */
public record AgentConfig(long fallbackNanos, long sliceNanos, long heartbeatNanos, boolean directIdle,
                          boolean directPinned, long statsIntervalMs, boolean lockMemory, long maxBackoffMs) {

    public AgentConfig {
        requireRange("fallbackNanos", fallbackNanos, 1_000_000L, 2_000_000_000L); // well under the 5 s watchdog
        requireRange("sliceNanos", sliceNanos, 50_000L, 1_000_000_000L);
        requireRange("heartbeatNanos", heartbeatNanos, 1_000_000L, 1_000_000_000L);
        requireRange("statsIntervalMs", statsIntervalMs, 0, 3_600_000L);
        requireRange("maxBackoffMs", maxBackoffMs, 0, 600_000L);
    }

    private static void requireRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
