package io.jthulhu.node.agent;

import io.jthulhu.node.bpf.BpfScheduler;
import io.jthulhu.node.bpf.SchedulerStats;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Prints the BPF counters periodically from its own thread, away from the scheduling loop, with the
 * CPU time the loop's thread has used (loop_cpu_ms): the scheduler's own overhead, and how often
 * the loop went round (loop_passes), waited (loop_sleeps: parked in BPF or napped) and how many records it took (loop_records).
 */
final class StatsPrinter {
    private final Thread thread;
    private volatile boolean stopped;

    private StatsPrinter(BpfScheduler bpf, PrintStream out, long intervalMs, long loopThreadId, SchedulerLoop loop) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        this.thread = intervalMs <= 0 ? null : new Thread(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                    return;
                }
                if (!stopped) {
                    out.println(line(bpf, threads.getThreadCpuTime(loopThreadId), loop));
                }
            }
        }, "jthulhu-stats");
        if (thread != null) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** @param loopCpuNs the loop thread's CPU time, -1 if unsupported */
    private static String line(BpfScheduler bpf, long loopCpuNs, SchedulerLoop loop) {
        return "JTHULHU stats " + SchedulerStats.read(bpf.shared()).toKeyValues()
                + " loop_cpu_ms=" + (loopCpuNs < 0 ? -1 : loopCpuNs / 1_000_000)
                + " loop_passes=" + loop.counter(SchedulerLoop.PASSES)
                + " loop_sleeps=" + loop.counter(SchedulerLoop.SLEEPS)
                + " loop_records=" + loop.counter(SchedulerLoop.RECORDS);
    }

    /**
     * Builds a line and drops it, before attach: the string concatenation's first use generates
     * classes, which cost the machine ~0.1 s of CPU under TCG while the scheduler ran.
     */
    static void warmUp(BpfScheduler bpf, SchedulerLoop loop) {
        line(bpf, 0, loop);
    }

    /** Starts printing; the calling thread is the one that will run {@code loop}. */
    static StatsPrinter start(BpfScheduler bpf, PrintStream out, long intervalMs, SchedulerLoop loop) {
        return new StatsPrinter(bpf, out, intervalMs, Thread.currentThread().getId(), loop);
    }

    void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
