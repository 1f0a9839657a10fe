package io.jthulhu.node.agent;

import io.jthulhu.crd.KernelSupport;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.crd.SchedulerState;
import io.jthulhu.node.bpf.BpfException;
import io.jthulhu.node.bpf.BpfScheduler;
import io.jthulhu.node.bpf.ExitInfo;
import io.jthulhu.node.bpf.SchedExtSysfs;
import io.jthulhu.node.enforce.PolicyMap;
import io.jthulhu.node.enforce.PlanEnforcer;
import io.jthulhu.node.enforce.PodStats;
import io.jthulhu.node.metrics.NodeMetrics;
import io.jthulhu.node.metrics.PodSample;
import io.jthulhu.node.plan.PlanListener;
import io.jthulhu.node.plan.PlanSource;
import io.jthulhu.node.plan.PlanStore;
import io.jthulhu.node.plan.StatusPublisher;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node daemon as a member of the cluster: takes this node's plan from its source, keeps the
 * last one in force while the source is unavailable (also across restarts, from the node's store),
 * applies it to the scheduler's maps, re-checks pods whose cgroups come and go, and reports what it
 * did (status, metrics, and the "JTHULHU plan" lines the VM scenarios read). The scheduler itself
 * runs on the calling thread; on a kernel without sched_ext the daemon stays up and says so.
 */
public final class NodeAgent implements PlanListener, SchedulerAgent.Lifecycle {
    private static final long RECONCILE_MS = 500;
    private static final long RETRY_MAX_MS = 30_000;
    private static final long FIRST_PLAN_WAIT_MS = 10_000;

    private final SchedExtSysfs sysfs;
    private final PlanSource source;
    private final PlanStore store;
    private final StatusPublisher status;
    private final PlanEnforcer enforcer;
    private final NodeMetrics metrics;
    private final PrintStream out;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch firstWord = new CountDownLatch(1);

    private final Function<SchedulerAgent.Lifecycle, SchedulerRunner> schedulers;
    private volatile SchedulerRunner scheduler;
    private volatile Supplier<Map<String, Long>> counters;
    private volatile boolean failStatic;
    private volatile boolean planInForce;
    private volatile String opsName = "";
    private volatile String lastExitReason = "";
    private volatile int restarts;
    private volatile int attaches;
    private String lastLine = "";
    private volatile NodeSchedulingPlanStatus lastStatus;

    /**
     * @param source null: no plan source, every task is scheduled with the defaults
     * @param store  null: nothing persisted (no fail-static across restarts)
     */
    public NodeAgent(AgentConfig config, SchedExtSysfs sysfs, PlanSource source, PlanStore store,
                     StatusPublisher status, PlanEnforcer enforcer, NodeMetrics metrics, PrintStream out) {
        this(sysfs, lifecycle -> new SchedulerAgent(config, sysfs, out, lifecycle, false), source, store, status,
                enforcer, metrics, out);
    }

    /** @param schedulers makes the scheduler this agent runs, reporting to the given lifecycle */
    public NodeAgent(SchedExtSysfs sysfs, Function<SchedulerAgent.Lifecycle, SchedulerRunner> schedulers,
                     PlanSource source, PlanStore store, StatusPublisher status, PlanEnforcer enforcer,
                     NodeMetrics metrics, PrintStream out) {
        this.schedulers = schedulers;
        this.sysfs = sysfs;
        this.source = source;
        this.store = store;
        this.status = status;
        this.enforcer = enforcer;
        this.metrics = metrics;
        this.out = out;
    }

    /** Runs until SIGTERM/SIGINT; returns the process exit code. */
    public int run() {
        Signal.handle(new Signal("TERM"), s -> stop());
        Signal.handle(new Signal("INT"), s -> stop());
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAndWait, "jthulhu-shutdown"));
        return serve();
    }

    /** Runs until {@link #stop}; the caller owns signals. */
    public int serve() {
        try {
            boolean supported = sysfs.supported();
            metrics.setSchedExtSupported(supported);
            metrics.registerSchedulerCounters(this::schedulerCounters);
            restoreStoredPlan();
            if (source != null) {
                source.start(this);
                awaitFirstWord();
            }
            // Without a plan source there is nothing to re-check: no thread, and none of its JIT work
            // in the scheduler's first seconds (the daemon's share of hackbench grew by ~3 points with it).
            if (source != null) {
                Thread reconciler = new Thread(this::reconcileLoop, "jthulhu-plan");
                reconciler.setDaemon(true);
                reconciler.start();
            }
            if (!supported) {
                out.println("JTHULHU kernel sched_ext=unsupported: staying up without a scheduler"
                        + " (needs CONFIG_SCHED_CLASS_EXT=y, Linux 6.12+)");
                publishStatus();
                awaitStop(Long.MAX_VALUE);
            } else {
                scheduleUntilStopped();
            }
            return 0;
        } finally {
            if (source != null) {
                source.close();
            }
            status.close();
            finished.countDown();
        }
    }

    /** Attaches and schedules; a scheduler that cannot attach is retried with back-off, never fatal. */
    private void scheduleUntilStopped() {
        long backoffMs = 1_000;
        while (stopped.getCount() > 0) {
            SchedulerRunner agent = schedulers.apply(this);
            scheduler = agent;
            if (stopped.getCount() == 0) {
                break;
            }
            try {
                agent.runUntilStopped();
                return;
            } catch (BpfException e) {
                lastExitReason = e.kind() + ": " + e.getMessage();
                out.println("JTHULHU error kind=" + e.kind() + " retry_ms=" + backoffMs);
                System.err.println("jthulhu-node: " + e.getMessage());
                metrics.recordEjection("error");
                publishStatus();
                awaitStop(backoffMs);
                backoffMs = Math.min(backoffMs * 2, RETRY_MAX_MS);
            }
        }
    }

    public void stop() {
        stopped.countDown();
        SchedulerRunner s = scheduler;
        if (s != null) {
            s.requestStop();
        }
    }

    private void stopAndWait() {
        stop();
        try {
            finished.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStop(long ms) {
        try {
            stopped.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Attaching only once the source answered (a plan, or that it is unavailable) fills the maps
     * before the first task is scheduled. Reading the first plan takes seconds under TCG (the YAML
     * reader's classes load); attached first, pods ran that long without their policy.
     */
    private void awaitFirstWord() {
        try {
            if (!firstWord.await(FIRST_PLAN_WAIT_MS, TimeUnit.MILLISECONDS)) {
                out.println("JTHULHU warning no word from the plan source after " + FIRST_PLAN_WAIT_MS
                        + " ms: attaching with the plan in force");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void restoreStoredPlan() {
        if (store == null) {
            return;
        }
        Optional<NodeSchedulingPlan> stored = store.load();
        if (stored.isPresent()) {
            // Fail-static: the last plan applied stays in force until the source says otherwise.
            failStatic = true;
            planInForce = true;
            enforcer.apply(stored.get());
            report("store");
        }
    }

    @Override
    public void planReceived(NodeSchedulingPlan plan) {
        if (store != null) {
            try {
                store.save(plan);
            } catch (RuntimeException e) {
                out.println("JTHULHU warning cannot persist the plan: " + e.getMessage());
            }
        }
        failStatic = false;
        planInForce = true;
        enforcer.apply(plan);
        report("source");
        firstWord.countDown();
    }

    @Override
    public void planSourceAvailable() {
        if (failStatic && planInForce) {
            failStatic = false;
            report("source");
        }
        firstWord.countDown();
    }

    @Override
    public void planSourceUnavailable(String reason) {
        boolean was = failStatic;
        failStatic = planInForce;
        if (!was) {
            out.println("JTHULHU plan source_unavailable fail_static=" + (failStatic ? 1 : 0) + " reason=\""
                    + reason.replace('"', '\'') + "\"");
        }
        publishStatus();
        firstWord.countDown();
    }

    private void reconcileLoop() {
        while (stopped.getCount() > 0) {
            try {
                enforcer.reconcile();
                report("reconcile");
                updatePodMetrics();
            } catch (RuntimeException e) {
                out.println("JTHULHU warning plan re-check failed: " + e);
            }
            awaitStop(RECONCILE_MS);
        }
    }

    /** Prints a plan line when what is applied changed, and publishes the status. */
    private synchronized void report(String cause) {
        PlanEnforcer.Report r = enforcer.lastReport();
        metrics.setPlanGeneration(r.generation());
        metrics.setPlanPods(r.appliedPods(), r.unresolved().size());
        metrics.setFailStatic(failStatic);
        String line = "generation=" + r.generation() + " applied=" + r.appliedPods() + " unresolved="
                + r.unresolved().size() + " fail_static=" + (failStatic ? 1 : 0);
        if (!line.equals(lastLine)) {
            lastLine = line;
            out.println("JTHULHU plan " + line + " cause=" + cause);
        }
        publishStatus();
    }

    private void updatePodMetrics() {
        List<PodSample> samples = new ArrayList<>();
        for (PlanEnforcer.AppliedPod pod : enforcer.appliedPods()) {
            PodStats s = enforcer.stats(pod);
            if (s != null) {
                samples.add(new PodSample(pod.namespace(), pod.name(), pod.policy(), pod.schedulingClass(),
                        s.cpuNanos(), s.contextSwitches(), s.waitBuckets(), s.waitNanos()));
            }
        }
        metrics.updatePods(samples);
    }

    /** Prints each applied pod's accounting: what the VM scenarios read instead of scraping /metrics. */
    public void printPodStats() {
        for (PlanEnforcer.AppliedPod pod : enforcer.appliedPods()) {
            PodStats s;
            try {
                s = enforcer.stats(pod);
            } catch (RuntimeException e) {
                out.println("JTHULHU warning no accounting for pod " + pod.namespace() + "/" + pod.name() + ": " + e.getMessage());
                continue;
            }
            if (s != null) {
                out.println("JTHULHU pod namespace=" + pod.namespace() + " pod=" + pod.name() + " class="
                        + pod.schedulingClass() + " cpu_ms=" + s.cpuNanos() / 1_000_000 + " switches="
                        + s.contextSwitches() + " wait_us=" + s.waitNanos() / 1_000);
            }
        }
    }

    private synchronized void publishStatus() {
        if (!status.publishes()) {
            return;
        }
        PlanEnforcer.Report r = enforcer.lastReport();
        NodeSchedulingPlanStatus s = new NodeSchedulingPlanStatus();
        s.setObservedGeneration(r.generation());
        boolean supported = sysfs.supported();
        boolean attached = supported && BpfScheduler.OPS_NAME.equals(opsName);
        // Without an attached scheduler nothing applies a policy: a pod whose cgroup was found is not an applied pod.
        s.setAppliedPods(attached ? r.appliedPods() : 0);
        s.setUnresolvedPods(new ArrayList<>(r.unresolved()));
        s.setKernelSupport(supported ? KernelSupport.Supported : KernelSupport.Unsupported);
        s.setKernelVersion(kernelRelease());
        s.setSchedulerState(schedulerState(supported ? sysfs.state() : "disabled"));
        s.setOpsName(opsName.isEmpty() ? null : opsName);
        s.setRestarts(restarts);
        s.setLastExitReason(lastExitReason.isEmpty() ? null : lastExitReason);
        s.setFailStatic(failStatic);
        s.setPlanSource(source == null ? "none" : source.describe());
        String now = Instant.now().toString();
        NodeSchedulingPlanStatus before = lastStatus;
        s.setCondition(NodeSchedulingPlanStatus.CONDITION_KERNEL_SUPPORTED, supported,
                supported ? "SchedExtPresent" : "NoSchedExt",
                supported ? "sched_ext is available" : "this kernel has no sched_ext: pods run under the default scheduler",
                before, now);
        boolean applied = attached && r.unresolved().isEmpty() && !failStatic;
        s.setCondition(NodeSchedulingPlanStatus.CONDITION_PLAN_APPLIED, applied,
                !supported ? "NoSchedExt" : !attached ? "NotAttached" : failStatic ? "FailStatic"
                        : applied ? "Applied" : "PodsUnresolved",
                !supported ? "this kernel has no sched_ext: the plan's pods run under the default scheduler"
                        : !attached ? "the scheduler is not attached: the plan's pods run under the default scheduler"
                        : failStatic ? "plan source unavailable: the last plan stays in force"
                        : r.appliedPods() + " pods applied, " + r.unresolved().size() + " unresolved", before, now);
        // Ready: the node does what its plan asks, or cannot (no sched_ext) and says so.
        s.setCondition(NodeSchedulingPlanStatus.CONDITION_READY, attached || !supported,
                attached ? "Attached" : supported ? "NotAttached" : "NoSchedExt",
                attached ? "scheduler " + opsName + " attached" : lastExitReason.isEmpty() ? "not attached" : lastExitReason,
                before, now);
        lastStatus = s;
        status.publish(s);
    }

    private static SchedulerState schedulerState(String sysfsState) {
        return switch (sysfsState) {
            case "enabled" -> SchedulerState.Enabled;
            case "enabling" -> SchedulerState.Enabling;
            case "disabling" -> SchedulerState.Disabling;
            case "disabled" -> SchedulerState.Disabled;
            default -> SchedulerState.Unknown;
        };
    }

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return null;
        }
    }

    // --- the scheduler's life ---

    @Override
    public void loaded(PolicyMap policies, Supplier<Map<String, Long>> schedulerCounters) {
        counters = schedulerCounters;
        enforcer.attach(policies);
    }

    @Override
    public void attached(String ops) {
        opsName = Objects.requireNonNullElse(ops, "");
        if (attaches++ > 0) {
            restarts++;
            metrics.recordRestart();
        }
        metrics.setAttached(true);
        publishStatus();
    }

    @Override
    public void ejected(ExitInfo exit) {
        lastExitReason = exit.describe();
        metrics.recordEjection(exit.restartRequested() ? "restart_requested"
                : exit.reason().contains("stall") ? "stall" : "error");
        publishStatus();
    }

    @Override
    public void unloading() {
        printPodStats();
        enforcer.detach();
        counters = null;
        opsName = "";
        metrics.setAttached(false);
        publishStatus();
    }

    /** The loaded scheduler's counters; none while unloaded (the metrics keep their last values). */
    private Map<String, Long> schedulerCounters() {
        Supplier<Map<String, Long>> current = counters;
        if (current == null) {
            return Map.of();
        }
        try {
            return current.get();
        } catch (RuntimeException e) {
            return Map.of(); // unloaded meanwhile
        }
    }
}
