package io.jthulhu.bench.sched;

import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.DispatchLayout;
import io.jthulhu.node.bpf.layout.QueuedTaskLayout;
import io.jthulhu.node.bpf.layout.QueuedTaskRecord;
import io.jthulhu.node.bpf.layout.SharedLayout;
import io.jthulhu.node.sched.CpuTopology;
import io.jthulhu.node.sched.PolicyEngine;
import io.jthulhu.node.sched.SchedulerConfig;
import io.jthulhu.node.sched.SharedCpuIdleView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The Java decision path per task: read a jt_queued_task from a direct buffer laid out like the
 * BPF ring (8-byte header + record, 8-aligned), run the policy engine, write a jt_dispatch into a
 * direct buffer laid out like the user ring. {@code runnable} tasks exist; each invocation the
 * {@value #BATCH} tasks dispatched last time come back (their slice expired: vtime and runtime
 * advanced), are drained into the engine and {@value #BATCH} decisions are taken, so the engine
 * holds about {@code runnable} tasks. Score = ns per task; it includes the few buffer writes that
 * play BPF producing each record. Run with {@code -prof gc}: gc.alloc.rate.norm is per task.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyEngineBenchmark {
    static final int BATCH = 10;
    private static final int RING_HEADER = 8;
    private static final int QUEUED_STRIDE = (RING_HEADER + QueuedTaskLayout.SIZE + 7) & ~7;
    private static final int DISPATCH_STRIDE = (RING_HEADER + DispatchLayout.SIZE + 7) & ~7;
    private static final int NR_CPUS = 8;

    @Param({"10", "1000", "10000"})
    public int runnable;

    private PolicyEngine engine;
    private ByteBuffer queuedRing;
    private ByteBuffer dispatchRing;
    private ByteBuffer shared;
    private final QueuedTaskRecord producer = new QueuedTaskRecord();
    private final int[] returning = new int[BATCH];
    private long[] vtime;
    private long[] runtime;
    private long[] nvcsw;
    private int[] weight;
    private long seq;
    private long now;
    private int tick;

    @Setup
    public void setUp() {
        shared = ByteBuffer.allocateDirect(SharedLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        engine = new PolicyEngine(SchedulerConfig.defaults(),
                new CpuTopology(new int[] {0, 0, 0, 0, 1, 1, 1, 1}), new SharedCpuIdleView(shared, 0));
        queuedRing = ByteBuffer.allocateDirect(BATCH * QUEUED_STRIDE).order(ByteOrder.LITTLE_ENDIAN);
        dispatchRing = ByteBuffer.allocateDirect(BATCH * DISPATCH_STRIDE).order(ByteOrder.LITTLE_ENDIAN);
        vtime = new long[runnable + 1];
        runtime = new long[runnable + 1];
        nvcsw = new long[runnable + 1];
        weight = new int[runnable + 1];
        for (int pid = 1; pid <= runnable; pid++) {
            weight[pid] = pid % 7 == 0 ? 1000 : pid % 3 == 0 ? 50 : 100;
        }
        // All tasks become runnable once; the first BATCH are the first to "come back".
        for (int first = 1; first <= runnable; first += BATCH) {
            for (int k = 0; k < BATCH; k++) {
                returning[k] = 1 + (first - 1 + k) % runnable;
            }
            produce();
            drain();
        }
        for (int k = 0; k < BATCH; k++) {
            returning[k] = 0;
        }
        decide();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int drainDecide() {
        produce();
        drain();
        return decide();
    }

    /** Plays BPF: the returning tasks ran a slice; their records go into the ring. */
    private void produce() {
        now += 1_000_000;
        for (int k = 0; k < BATCH; k++) {
            int pid = returning[k];
            int header = k * QUEUED_STRIDE;
            if (pid == 0) {
                queuedRing.putInt(header, 0);
                continue;
            }
            boolean wakeup = (pid + tick) % 4 == 0; // some tasks slept in between
            runtime[pid] = wakeup ? 100_000 : runtime[pid] + 2_000_000;
            vtime[pid] += 2_000_000L * Abi.WEIGHT_DEFAULT / weight[pid];
            if (wakeup) {
                nvcsw[pid]++;
            }
            queuedRing.putInt(header, QueuedTaskLayout.SIZE);
            producer.wrap(queuedRing, header + RING_HEADER)
                    .pid(pid).tgid(pid).prevCpu(pid % NR_CPUS).nrCpusAllowed(NR_CPUS).weight(weight[pid])
                    .flags(wakeup ? Abi.TASK_WAKEUP : 0).execRuntime(runtime[pid]).nvcsw(nvcsw[pid])
                    .vtime(vtime[pid]).seq(++seq).enqueuedAt(now)
                    .policy(pid % 4, 0, 0, pid % 5 == 0 ? Abi.POLICY_PRESENT : 0);
        }
        for (int cpu = 0; cpu < NR_CPUS; cpu++) {
            shared.put(SharedLayout.CPU_IDLE + cpu, (byte) ((cpu + tick) % 3 == 0 ? 1 : 0));
        }
        tick++;
    }

    /** The loop's consumer side: every committed record of the ring into the engine. */
    private void drain() {
        for (int k = 0; k < BATCH; k++) {
            int header = k * QUEUED_STRIDE;
            if (queuedRing.getInt(header) >= QueuedTaskLayout.SIZE) {
                engine.enqueue(queuedRing, header + RING_HEADER);
            }
        }
    }

    /** The loop's producer side: BATCH decisions into the dispatch ring, in deadline order. */
    private int decide() {
        int cpus = 0;
        for (int k = 0; k < BATCH; k++) {
            int header = k * DISPATCH_STRIDE;
            dispatchRing.putInt(header, DispatchLayout.SIZE);
            if (!engine.dispatchNext(dispatchRing, header + RING_HEADER)) {
                returning[k] = 0;
                continue;
            }
            returning[k] = dispatchRing.getInt(header + RING_HEADER + DispatchLayout.PID);
            cpus += dispatchRing.getInt(header + RING_HEADER + DispatchLayout.CPU);
        }
        return cpus;
    }
}
