package io.jthulhu.node.cli;

import io.jthulhu.node.agent.AgentConfig;
import io.jthulhu.node.agent.NodeAgent;
import io.jthulhu.node.bpf.BpfException;
import io.jthulhu.node.bpf.SchedExtSysfs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
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

    @Command(name = "run", mixinStandardHelpOptions = true, description = {"Attach the scheduler and schedule this node until SIGTERM.",
            "The plan (which pods get which policy) comes from one source:",
            "  --kubernetes     this node's NodeSchedulingPlan, watched through the API server (in-cluster"
                    + " config or KUBECONFIG; node name from --node-name or NODE_NAME);",
            "  --plan-file F    a NodeSchedulingPlan YAML file, re-read when it changes (standalone hosts);",
            "  neither          no policies: every task is scheduled with the defaults.",
            "The last plan applied is kept in --state-dir and stays in force while the source is unavailable,"
                    + " also across restarts."})
    static final class Run implements Callable<Integer> {
        @Option(names = "--kubernetes", description = "Take the plan from the Kubernetes API (NodeSchedulingPlan named after this node).")
        boolean kubernetes;

        @Option(names = "--node-name", description = "This node's name (default: the NODE_NAME environment variable).")
        String nodeName;

        @Option(names = "--plan-file", paramLabel = "FILE", description = "Take the plan from this NodeSchedulingPlan YAML file.")
        Path planFile;

        @Option(names = "--state-dir", defaultValue = "/var/lib/jthulhu",
                description = "Where the last applied plan is kept for fail-static restarts (default ${DEFAULT-VALUE}).")
        Path stateDir;

        @Option(names = "--cgroup-root", defaultValue = "/sys/fs/cgroup",
                description = "The host's cgroup v2 mount (default ${DEFAULT-VALUE}).")
        Path cgroupRoot;

        @Option(names = "--cgroup-driver", defaultValue = "auto",
                description = "Kubelet's cgroup driver: auto, systemd or cgroupfs (default ${DEFAULT-VALUE}).")
        String cgroupDriver;

        @Option(names = "--kubepods-cgroup", paramLabel = "PATH",
                description = "The kubepods cgroup relative to --cgroup-root (e.g. kubepods.slice), with --cgroup-driver;"
                        + " by default it is found under the root.")
        Path kubepodsCgroup;

        @Option(names = "--http-port", defaultValue = "9402",
                description = "Port of /healthz, /readyz and /metrics, -1 for none (default ${DEFAULT-VALUE}).")
        int httpPort;

        @Option(names = "--no-pod-stats", description = "Do not account CPU time, switches and run-queue wait per pod in BPF.")
        boolean noPodStats;

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

        @Option(names = "--no-wake-preempt",
                description = "Send every woken task that finds no idle CPU to Java (by default BPF lets one that"
                        + " Java decided for before preempt at once, with that decision's deadline offset and slice).")
        boolean noWakePreempt;

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
                        + " only once the oldest such task waited this long (up to 4 times as long while every CPU has"
                        + " unweighted decided work queued), 0 for at once (default ${DEFAULT-VALUE}).")
        long wakeBatchUs;

        @Override
        public Integer call() {
            AgentConfig config;
            try {
                config = new AgentConfig(fallbackMs * 1_000_000L, sliceUs * 1_000L, heartbeatMs * 1_000_000L,
                        !noDirectIdle, !noDirectPinned, statsIntervalMs, !noMlock, maxBackoffMs,
                        preemptMarginUs * 1_000L, starvationMs * 1_000_000L, minSliceUs * 1_000L, wakeBatchUs * 1_000L,
                        !noPodStats, !noWakePreempt);
            } catch (IllegalArgumentException e) {
                System.err.println("jthulhu-node: invalid option: " + e.getMessage());
                return 2;
            }
            DaemonSetup setup;
            try {
                setup = DaemonSetup.create(this);
            } catch (IllegalArgumentException e) {
                System.err.println("jthulhu-node: " + e.getMessage());
                return 2;
            }
            try (setup) {
                return new NodeAgent(config, new SchedExtSysfs(), setup.source(), setup.store(), setup.status(),
                        setup.enforcer(), setup.metrics(), System.out).run();
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
