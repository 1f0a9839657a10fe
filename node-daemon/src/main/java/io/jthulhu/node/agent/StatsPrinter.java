package io.jthulhu.node.agent;

import io.jthulhu.node.bpf.BpfScheduler;
import io.jthulhu.node.bpf.SchedulerStats;

import java.io.PrintStream;

/** Prints the BPF counters periodically from its own thread, away from the scheduling loop. */
final class StatsPrinter {
    private final Thread thread;
    private volatile boolean stopped;

    private StatsPrinter(BpfScheduler bpf, PrintStream out, long intervalMs) {
        this.thread = intervalMs <= 0 ? null : new Thread(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                    return;
                }
                if (!stopped) {
                    out.println("JTHULHU stats " + SchedulerStats.read(bpf.shared()).toKeyValues());
                }
            }
        }, "jthulhu-stats");
        if (thread != null) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    static StatsPrinter start(BpfScheduler bpf, PrintStream out, long intervalMs) {
        return new StatsPrinter(bpf, out, intervalMs);
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
