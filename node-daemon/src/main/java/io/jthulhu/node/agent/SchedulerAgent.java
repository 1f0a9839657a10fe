package io.jthulhu.node.agent;

import com.sun.jna.LastErrorException;
import io.jthulhu.node.bpf.BpfException;
import io.jthulhu.node.bpf.BpfScheduler;
import io.jthulhu.node.bpf.ExitInfo;
import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.ConfigLayout;
import io.jthulhu.node.bpf.SchedExtSysfs;
import io.jthulhu.node.bpf.SchedulerStats;
import io.jthulhu.node.sys.Libc;

import sun.misc.Signal;

import io.jthulhu.node.enforce.PolicyMap;

import java.io.PrintStream;
import java.util.Map;
import java.util.function.Supplier;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this node scheduled by Jthulhu: attaches the BPF scheduler, runs the Java scheduling
 * loop, and when the kernel ejects the scheduler reports why and re-attaches (at once if the
 * kernel asked for a restart, otherwise with exponential back-off). Stops cleanly on SIGTERM.
 * Prints the tagged lines ("JTHULHU attached/stats/ejected/final/detached") that the e2e harness reads.
 */
public final class SchedulerAgent implements SchedulerRunner {
    private static final long FIRST_BACKOFF_MS = 500;

    /** What the rest of the daemon hears of the scheduler's life; called on the agent's thread. */
    public interface Lifecycle {
        /**
         * Loaded, maps ready, not attached yet: fill the maps here so the first task sees them.
         *
         * @param counters the scheduler's counters while it is loaded
         */
        default void loaded(PolicyMap policies, Supplier<Map<String, Long>> counters) {
        }

        default void attached(String opsName) {
        }

        /** The kernel ejected the scheduler (it is re-attached after a back-off). */
        default void ejected(ExitInfo exit) {
        }

        /** The scheduler's BPF object is about to be closed: its maps go with it. */
        default void unloading() {
        }
    }

    private static final Lifecycle NO_LIFECYCLE = new Lifecycle() {
    };

    private final AgentConfig config;
    private final SchedExtSysfs sysfs;
    private final PrintStream out;
    private final Lifecycle lifecycle;
    private final boolean handleSignals;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile SchedulerLoop loop;

    public SchedulerAgent(AgentConfig config, SchedExtSysfs sysfs, PrintStream out) {
        this(config, sysfs, out, NO_LIFECYCLE, true);
    }

    /**
     * @param handleSignals install SIGTERM/SIGINT handlers and a shutdown hook here; false when the
     *                      caller owns them and calls {@link #requestStop}
     */
    public SchedulerAgent(AgentConfig config, SchedExtSysfs sysfs, PrintStream out, Lifecycle lifecycle,
                          boolean handleSignals) {
        this.config = config;
        this.sysfs = sysfs;
        this.out = out;
        this.lifecycle = lifecycle;
        this.handleSignals = handleSignals;
    }

    /** Schedules until SIGTERM/SIGINT (or {@link #requestStop}); returns the process exit code. */
    @Override
    public int runUntilStopped() {
        // SIGTERM/SIGINT stop the loop and let main return 0 (the JVM's default would exit 143);
        // the shutdown hook still covers System.exit from elsewhere.
        if (handleSignals) {
            handleSignal("TERM");
            handleSignal("INT");
            Runtime.getRuntime().addShutdownHook(new Thread(this::requestStopAndWait, "jthulhu-shutdown"));
        }
        try {
            lockMemory();
            long backoffMs = FIRST_BACKOFF_MS;
            while (!stopRequested) {
                ExitInfo exit = attachAndSchedule();
                if (stopRequested || exit == null) {
                    break;
                }
                out.println("JTHULHU ejected " + exit.describe());
                lifecycle.ejected(exit);
                if (exit.restartRequested()) {
                    backoffMs = FIRST_BACKOFF_MS;
                    continue;
                }
                sleepUnlessStopped(backoffMs);
                backoffMs = Math.max(FIRST_BACKOFF_MS, Math.min(backoffMs * 2, config.maxBackoffMs()));
            }
            return 0;
        } finally {
            finished.countDown();
        }
    }

    /**
     * One attachment: open, configure, load, attach, schedule until stop or ejection.
     *
     * @return the exit info when the kernel ejected the scheduler, null when we were asked to stop
     */
    private ExitInfo attachAndSchedule() {
        long opened = System.nanoTime();
        try (BpfScheduler bpf = BpfScheduler.open(sysfs)) {
            try {
                return schedule(bpf, opened);
            } finally {
                lifecycle.unloading();
            }
        } catch (BpfException e) {
            if (e.kind() == BpfException.Kind.ATTACH_FAILED && !stopRequested) {
                // e.g. the kernel is still tearing down a previous instance: retry with back-off
                out.println("JTHULHU ejected kind=0 reason=\"attach failed\" msg=\"" + e.getMessage().replace('"', '\'') + "\"");
                return new ExitInfo(0, 0, "attach failed", e.getMessage());
            }
            throw e;
        }
    }

    private ExitInfo schedule(BpfScheduler bpf, long opened) {
        writeConfig(bpf.config());
        bpf.load();
        lifecycle.loaded(bpf.policyMap(), () -> SchedulerStats.read(bpf.shared()).counters());
        long loaded = System.nanoTime();
        SchedulerLoop current = new SchedulerLoop(bpf, config);
        current.warmUp();
        StatsPrinter.warmUp(bpf, current);
        long warm = System.nanoTime();
        bpf.attach(sysfs);
        // Where a (re-)attach spends its time: the verifier, compiling the hot path, the kernel's enable.
        out.println("JTHULHU attached ops=" + sysfs.attachedOps() + " enable_seq=" + sysfs.enableSeq()
                + " load_ms=" + (loaded - opened) / 1_000_000 + " warmup_ms=" + (warm - loaded) / 1_000_000
                + " attach_ms=" + (System.nanoTime() - warm) / 1_000_000);
        lifecycle.attached(sysfs.attachedOps());
        loop = current;
        StatsPrinter stats = StatsPrinter.start(bpf, out, config.statsIntervalMs(), current);
        try {
            current.run(() -> stopRequested);
        } finally {
            stats.stop();
            loop = null;
        }
        ExitInfo exit = bpf.exitInfo();
        SchedulerStats finalStats = SchedulerStats.read(bpf.shared());
        if (exit.exited() && !stopRequested) {
            out.println("JTHULHU final " + finalStats.toKeyValues());
            for (String line : bpf.exitDump().split("\n")) {
                if (!line.isBlank()) {
                    out.println("JTHULHU dump " + line);
                }
            }
            return exit;
        }
        bpf.detach();
        out.println("JTHULHU final " + finalStats.toKeyValues());
        ExitInfo detached = bpf.exitInfo();
        out.println("JTHULHU detached kind=" + detached.kind() + " reason=" + quoteIfNeeded(detached.reason()));
        out.flush();
        return null;
    }

    private void writeConfig(ByteBuffer c) {
        int flags = (config.directIdle() ? Abi.CFG_DIRECT_IDLE : 0) | (config.directPinned() ? Abi.CFG_DIRECT_PINNED : 0)
                | (config.podStats() ? Abi.CFG_POD_STATS : 0) | (config.wakePreempt() ? Abi.CFG_WAKE_PREEMPT : 0);
        c.putInt(ConfigLayout.USERSCHED_TGID, Libc.getpid());
        c.putInt(ConfigLayout.FLAGS, flags);
        c.putLong(ConfigLayout.FALLBACK_NS, config.fallbackNanos());
        c.putLong(ConfigLayout.DEFAULT_SLICE_NS, config.sliceNanos());
        c.putLong(ConfigLayout.HEARTBEAT_NS, config.heartbeatNanos());
        c.putLong(ConfigLayout.PREEMPT_MARGIN_NS, config.preemptMarginNanos());
        c.putLong(ConfigLayout.STARVATION_NS, config.starvationNanos());
        c.putLong(ConfigLayout.WAKE_BATCH_NS, config.wakeBatchNanos());
    }

    private void lockMemory() {
        if (!config.lockMemory()) {
            return;
        }
        try {
            Libc.mlockall(Libc.MCL_CURRENT | Libc.MCL_FUTURE);
        } catch (LastErrorException e) {
            // Not fatal: the BPF fallback still keeps the node live, but say so loudly.
            out.println("JTHULHU warning mlockall failed: " + Libc.strerror(e.getErrorCode())
                    + " (page faults may delay scheduling decisions)");
        }
    }

    private void handleSignal(String name) {
        try {
            Signal.handle(new Signal(name), signal -> requestStop());
        } catch (IllegalArgumentException e) {
            out.println("JTHULHU warning cannot handle SIG" + name + ": " + e.getMessage());
        }
    }

    /** Detaches and makes {@link #runUntilStopped} return; safe from any thread or signal handler. */
    @Override
    public void requestStop() {
        stopRequested = true;
        SchedulerLoop l = loop;
        if (l != null) {
            l.wakeUp();
        }
    }

    private void requestStopAndWait() {
        requestStop();
        try {
            finished.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sleepUnlessStopped(long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000L;
        while (!stopRequested && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.min(50, ms));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String quoteIfNeeded(String s) {
        return s.isEmpty() ? "-" : (s.indexOf(' ') >= 0 ? "\"" + s + "\"" : s);
    }
}
