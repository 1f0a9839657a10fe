package io.jthulhu.node.cli;

import io.jthulhu.node.agent.AgentConfig;
import io.jthulhu.node.agent.SchedulerAgent;
import io.jthulhu.node.bpf.BpfException;
import io.jthulhu.node.bpf.SchedExtSysfs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** Entry point of the node daemon: {@code jthulhu-node run} schedules this node until SIGTERM. */
@Command(name = "jthulhu-node", mixinStandardHelpOptions = true, version = "jthulhu-node 0.1.0",
        description = "Jthulhu node daemon: a Java CPU scheduler attached to the kernel's sched_ext.",
        subcommands = {NodeDaemonMain.Run.class, NodeDaemonMain.Probe.class})
public final class NodeDaemonMain {
    static final int EXIT_NOT_PERMITTED = 3;
    static final int EXIT_UNSUPPORTED = 4;
    static final int EXIT_ALREADY_ATTACHED = 5;
    static final int EXIT_LOAD_FAILED = 6;
    static final int EXIT_FAILED = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new NodeDaemonMain()).execute(args));
    }

    static int exitCodeFor(BpfException e) {
        return switch (e.kind()) {
            case NOT_PERMITTED -> EXIT_NOT_PERMITTED;
            case KERNEL_UNSUPPORTED -> EXIT_UNSUPPORTED;
            case ALREADY_ATTACHED -> EXIT_ALREADY_ATTACHED;
            case LOAD_FAILED, LIBBPF_UNAVAILABLE -> EXIT_LOAD_FAILED;
            default -> EXIT_FAILED;
        };
    }

    @Command(name = "run", description = "Attach the scheduler and schedule this node until SIGTERM.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--fallback-ms", defaultValue = "50",
                description = "A task waiting longer for Java is dispatched by BPF itself (default ${DEFAULT-VALUE}).")
        long fallbackMs;

        @Option(names = "--slice-us", defaultValue = "5000", description = "Base time slice (default ${DEFAULT-VALUE}).")
        long sliceUs;

        @Option(names = "--heartbeat-ms", defaultValue = "10", description = "BPF timer period (default ${DEFAULT-VALUE}).")
        long heartbeatMs;

        @Option(names = "--stats-interval-ms", defaultValue = "1000",
                description = "Print a stats line this often, 0 for never (default ${DEFAULT-VALUE}).")
        long statsIntervalMs;

        @Option(names = "--no-direct-idle", description = "Send every wakeup to Java, even onto idle CPUs.")
        boolean noDirectIdle;

        @Option(names = "--no-direct-pinned",
                description = "Send single-CPU tasks without a policy to Java too (by default BPF queues them on their CPU by deadline).")
        boolean noDirectPinned;

        @Option(names = "--no-mlock", description = "Do not mlockall (only for environments that forbid it).")
        boolean noMlock;

        @Option(names = "--max-backoff-ms", defaultValue = "30000",
                description = "Longest wait before re-attaching after an ejection (default ${DEFAULT-VALUE}).")
        long maxBackoffMs;

        @Option(names = "--min-slice-us", defaultValue = "250",
                description = "Shortest slice, however many tasks wait (default ${DEFAULT-VALUE}).")
        long minSliceUs;

        @Option(names = "--preempt-margin-us", defaultValue = "1000",
                description = "A waking task preempts a running one whose deadline is later by more than this (default ${DEFAULT-VALUE}).")
        long preemptMarginUs;

        @Option(names = "--starvation-ms", defaultValue = "1000",
                description = "A decision waiting longer than this is served first-come first-served (default ${DEFAULT-VALUE}).")
        long starvationMs;

        @Option(names = "--wake-batch-us", defaultValue = "2000",
                description = "While every CPU is busy, a queued task that is not latency-critical wakes the scheduling loop"
                        + " only once the oldest such task waited this long, 0 for at once (default ${DEFAULT-VALUE}).")
        long wakeBatchUs;

        @Override
        public Integer call() {
            AgentConfig config;
            try {
                config = new AgentConfig(fallbackMs * 1_000_000L, sliceUs * 1_000L, heartbeatMs * 1_000_000L,
                        !noDirectIdle, !noDirectPinned, statsIntervalMs, !noMlock, maxBackoffMs,
                        preemptMarginUs * 1_000L, starvationMs * 1_000_000L, minSliceUs * 1_000L, wakeBatchUs * 1_000L);
            } catch (IllegalArgumentException e) {
                System.err.println("jthulhu-node: invalid option: " + e.getMessage());
                return 2;
            }
            try {
                return new SchedulerAgent(config, new SchedExtSysfs(), System.out).runUntilStopped();
            } catch (BpfException e) {
                System.err.println("jthulhu-node: " + e.getMessage());
                System.out.println("JTHULHU error kind=" + e.kind());
                return exitCodeFor(e);
            }
        }
    }

    @Command(name = "probe", description = "Print whether this node can run the scheduler, then exit.")
    static final class Probe implements Callable<Integer> {
        @Override
        public Integer call() {
            SchedExtSysfs sysfs = new SchedExtSysfs();
            System.out.println("JTHULHU probe sched_ext=" + (sysfs.supported() ? "supported" : "unsupported")
                    + " state=" + sysfs.state() + " ops=" + (sysfs.attachedOps().isEmpty() ? "-" : sysfs.attachedOps()));
            return sysfs.supported() ? 0 : EXIT_UNSUPPORTED;
        }
    }
}
