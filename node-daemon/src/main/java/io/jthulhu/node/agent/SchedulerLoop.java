package io.jthulhu.node.agent;

import io.jthulhu.node.bpf.BpfScheduler;
import io.jthulhu.node.bpf.InMemoryRings;
import io.jthulhu.node.bpf.layout.QueuedTaskRecord;
import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.DispatchLayout;
import io.jthulhu.node.bpf.layout.ExitInfoLayout;
import io.jthulhu.node.bpf.layout.QueuedTaskLayout;
import io.jthulhu.node.bpf.layout.SharedLayout;
import io.jthulhu.node.bpf.RingBufferConsumer;
import io.jthulhu.node.bpf.UserRingBufferProducer;
import io.jthulhu.node.sched.CpuTopology;
import io.jthulhu.node.sched.PolicyEngine;
import io.jthulhu.node.sched.SchedulerConfig;
import io.jthulhu.node.sched.SharedCpuIdleView;
import io.jthulhu.node.sys.Libc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The hot path: queued ring → policy engine → dispatch ring. Runs on one thread, allocates nothing
 * per task and takes no lock: BPF never waits on it, and when it is late BPF dispatches by itself.
 * Between batches it parks in BPF: it sets java_loop_idle and yields, BPF keeps the thread
 * (runnable, in no queue) and runs it again when records wait, when it is asked to (a stop, a
 * signal to the thread), or after at most 1 s.
 */
final class SchedulerLoop implements RingBufferConsumer.RecordSink {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** Upper bound on records taken per batch, so decisions go out while the ring still fills. */
    private static final int MAX_BATCH = 4096;
    /** A short sleep, for when waiting is all the loop can do: the dispatch ring is full, or BPF does not park it. */
    private static final long NAP_NS = 1_000_000;
    /** Warm-up: passes through rings in memory, enough for C1 to compile every method of a pass. */
    private static final int WARM_UP_PASSES = 2_000;
    private static final int WARM_UP_RECORDS_PER_PASS = 4;
    private static final int WARM_UP_PARK_EVERY = 4;
    private static final int WARM_UP_RING_BYTES = 1 << 16;

    private final ByteBuffer shared;
    private final RingBufferConsumer queued;
    private final UserRingBufferProducer dispatched;
    private final ByteBuffer dispatchBuffer;
    private final SchedulerConfig schedConfig;
    private final CpuTopology topology;
    private final PolicyEngine engine;
    private volatile boolean wakeRequested;
    /** Idle passes in a row whose yield did not park the loop in BPF. */
    private int yieldsNotParked;

    /** Loop activity: passes over the rings, waits (parks in BPF or naps), records taken. */
    static final int PASSES = 0;
    static final int SLEEPS = 1;
    static final int RECORDS = 2;
    /** Written by the loop thread only, read by the stats thread: opaque, so no fence on the hot path. */
    private static final VarHandle COUNTERS = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] counters = new long[3];

    SchedulerLoop(BpfScheduler bpf, AgentConfig config) {
        this(bpf.shared(), bpf.queued(), bpf.dispatched(), SchedulerConfig.builder().baseSliceNs(config.sliceNanos())
                .minSliceNs(config.minSliceNanos()).build(), CpuTopology.fromSysfs());
    }

    SchedulerLoop(ByteBuffer shared, RingBufferConsumer queued, UserRingBufferProducer dispatched,
                  SchedulerConfig schedConfig, CpuTopology topology) {
        this.shared = shared;
        this.queued = queued;
        this.dispatched = dispatched;
        this.dispatchBuffer = dispatched.buffer();
        this.schedConfig = schedConfig;
        this.topology = topology;
        this.engine = new PolicyEngine(schedConfig, topology, new SharedCpuIdleView(shared, 0));
    }

    /**
     * Compiles the decision path and the loop's transport before the kernel depends on it: the
     * engine on its own, then passes of a loop of its own through rings in memory, where this
     * method plays BPF. Without the second part the loop ran interpreted for its first ~1.5 s
     * attached under TCG.
     */
    void warmUp() {
        engine.warmUp();
        InMemoryRings rings = new InMemoryRings(WARM_UP_RING_BYTES, WARM_UP_RING_BYTES);
        ByteBuffer scratchShared = ByteBuffer.allocateDirect(SharedLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        SchedulerLoop scratch = new SchedulerLoop(scratchShared, rings.queued(), rings.dispatched(), schedConfig, topology);
        QueuedTaskRecord rec = new QueuedTaskRecord();
        int nrCpus = topology.nrCpus();
        long seq = 0;
        for (int i = 0; i < WARM_UP_PASSES; i++) {
            for (int k = 0; k < WARM_UP_RECORDS_PER_PASS; k++, seq++) {
                int at = rings.reserveQueued(QueuedTaskLayout.SIZE);
                if (at < 0) {
                    break;
                }
                int pid = 1 + (int) (seq % 300);
                rec.wrap(rings.queuedBuffer(), at).pid(pid).tgid(pid).prevCpu(pid % nrCpus).nrCpusAllowed(nrCpus)
                        .weight(100).flags((int) seq & Abi.TASK_WAKEUP).execRuntime(pid * 10_000L).nvcsw(seq / 3)
                        .vtime(seq * 1_000L).seq(seq).enqueuedAt(seq * 50_000L).policy(pid & 3, 0, 0, pid & 3);
                rings.submitQueued(at);
            }
            scratch.pass();
            rings.drainDispatched();
            if (i % WARM_UP_PARK_EVERY == 0) {
                scratch.yieldsNotParked = 0;
                scratch.park();
            }
        }
    }

    /**
     * Makes the loop take another pass instead of waiting, e.g. to stop. A parked loop is wanted:
     * BPF's heartbeat runs it within one period.
     */
    void wakeUp() {
        wakeRequested = true;
        INT.setVolatile(shared, SharedLayout.LOOP_WANTED, 1);
    }

    /** Schedules until {@code stop} says so or the kernel ejects the scheduler. */
    void run(BooleanSupplier stop) {
        Thread.currentThread().setName("jthulhu-scheduler");
        // BPF gives this thread, and no other JVM thread, priority over all queued work.
        LONG.setRelease(shared, SharedLayout.SCHEDULER_TID, (long) Libc.gettid());
        while (!stop.getAsBoolean() && !kernelExited()) {
            if (pass() && !wakeRequested) {
                count(SLEEPS, 1);
                if (engine.pending() > 0) {
                    // Decisions wait for room in the dispatch ring, which BPF drains as CPUs dispatch.
                    LockSupport.parkNanos(NAP_NS);
                } else {
                    park();
                }
            }
        }
    }

    /** One pass over the rings: records in, decisions out. Returns true if the loop may wait now. */
    private boolean pass() {
        LONG.setRelease(shared, SharedLayout.JAVA_HEARTBEAT_NS, System.nanoTime());
        // Cleared before the ring is read (a volatile store: ordered before the reads): a record
        // committed after this sets it again, and BPF then refuses to park the loop.
        INT.setVolatile(shared, SharedLayout.LOOP_WANTED, 0);
        // Never take a record the engine cannot hold: a consumed record is gone from the ring.
        int room = Math.min(MAX_BATCH, engine.remainingCapacity());
        int taken = room > 0 ? queued.consume(this, room) : 0;
        int sent = flush();
        count(PASSES, 1);
        count(RECORDS, taken);
        if (taken > 0 || sent > 0) {
            yieldsNotParked = 0;
        }
        // A pass that emptied the ring and sent everything needs no second look before it
        // parks (under TCG a pass costs ~50 us on a woken task's way to its CPU): BPF sets
        // loop_wanted for every urgent record committed since, and then refuses to park the
        // loop. The decisions just sent are drained when this thread yields.
        boolean caughtUp = sent > 0 && engine.pending() == 0 && queued.pendingBytes() == 0
                && (int) INT.getVolatile(shared, SharedLayout.LOOP_WANTED) == 0;
        return taken == 0 && sent == 0 || caughtUp;
    }

    /**
     * Nothing to do: yield with java_loop_idle set, and BPF's ops.enqueue keeps this thread until
     * records wait. Cheaper than sleeping on the ring: no wakeup through the kernel, no syscall
     * to return from but this one. Thread.yield is sched_yield(2) on Linux, without JNA's call
     * overhead.
     */
    private void park() {
        long parks = (long) LONG.getOpaque(shared, SharedLayout.NR_LOOP_PARKS);
        INT.setVolatile(shared, SharedLayout.JAVA_LOOP_IDLE, 1);
        Thread.yield();
        INT.setRelease(shared, SharedLayout.JAVA_LOOP_IDLE, 0);
        if ((long) LONG.getOpaque(shared, SharedLayout.NR_LOOP_PARKS) != parks) {
            yieldsNotParked = 0;
        } else if (++yieldsNotParked > 1) {
            // BPF did not keep the thread twice in a row with nothing to do: the kernel is tearing
            // the scheduler down (ops.exit, which tells Java, comes last), and this thread, now
            // under the default scheduler, would spin on sched_yield meanwhile. Under TCG, a
            // thread spinning through code the kernel is patching (static keys) was seen to
            // trigger int3 Oopses.
            LockSupport.parkNanos(NAP_NS);
        }
    }

    /** One of {@link #PASSES}, {@link #SLEEPS}, {@link #RECORDS} so far; safe from any thread. */
    long counter(int which) {
        return (long) COUNTERS.getOpaque(counters, which);
    }

    private void count(int which, long n) {
        COUNTERS.setOpaque(counters, which, (long) COUNTERS.getOpaque(counters, which) + n);
    }

    private boolean kernelExited() {
        return (int) INT.getAcquire(shared, SharedLayout.EXIT + ExitInfoLayout.KIND) != 0;
    }

    @Override
    public boolean accept(ByteBuffer buffer, int offset, int length) {
        // BPF commits nothing shorter; a short record would be read past its end.
        if (length >= QueuedTaskLayout.SIZE) {
            engine.enqueue(buffer, offset);
        }
        return true;
    }

    /** Sends decisions in the engine's order while the dispatch ring has room. */
    private int flush() {
        int sent = 0;
        while (engine.pending() > 0) {
            int at = dispatched.reserve(DispatchLayout.SIZE);
            if (at < 0) {
                break;
            }
            engine.dispatchNext(dispatchBuffer, at);
            dispatched.submit(at);
            sent++;
        }
        if (sent > 0) {
            LONG.getAndAdd(shared, SharedLayout.JAVA_DISPATCH_SEQ, 1L);
        }
        return sent;
    }
}
