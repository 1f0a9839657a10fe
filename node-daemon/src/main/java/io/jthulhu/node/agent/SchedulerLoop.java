package io.jthulhu.node.agent;

import com.sun.jna.Memory;
import io.jthulhu.node.bpf.BpfScheduler;
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
import java.util.function.BooleanSupplier;

/**
 * The hot path: queued ring → policy engine → dispatch ring. Runs on one thread, allocates nothing
 * per task and takes no lock: BPF never waits on it, and when it is late BPF dispatches by itself.
 * Between batches it blocks in epoll on the queued ring, which BPF wakes when it adds work.
 */
final class SchedulerLoop implements RingBufferConsumer.RecordSink {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** Upper bound on records taken per batch, so decisions go out while the ring still fills. */
    private static final int MAX_BATCH = 4096;
    private static final int IDLE_WAIT_MS = 100;
    private static final int RING_FULL_WAIT_MS = 1;

    private final ByteBuffer shared;
    private final RingBufferConsumer queued;
    private final UserRingBufferProducer dispatched;
    private final ByteBuffer dispatchBuffer;
    private final PolicyEngine engine;
    private final int epollFd;
    private final Memory epollEvents = new Memory(Libc.EPOLL_EVENT_SIZE * 4L);
    private volatile boolean wakeRequested;

    /** Loop activity: passes over the rings, sleeps in epoll, records taken. */
    static final int PASSES = 0;
    static final int SLEEPS = 1;
    static final int RECORDS = 2;
    /** Written by the loop thread only, read by the stats thread: opaque, so no fence on the hot path. */
    private static final VarHandle COUNTERS = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] counters = new long[3];

    SchedulerLoop(BpfScheduler bpf, AgentConfig config) {
        this.shared = bpf.shared();
        this.queued = bpf.queued();
        this.dispatched = bpf.dispatched();
        this.dispatchBuffer = dispatched.buffer();
        this.engine = new PolicyEngine(SchedulerConfig.builder().baseSliceNs(config.sliceNanos())
                        .minSliceNs(config.minSliceNanos()).build(),
                CpuTopology.fromSysfs(), new SharedCpuIdleView(shared, 0));
        this.epollFd = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        try (Memory ev = new Memory(Libc.EPOLL_EVENT_SIZE)) {
            ev.clear();
            ev.setInt(0, Libc.EPOLLIN);
            Libc.epoll_ctl(epollFd, Libc.EPOLL_CTL_ADD, bpf.queuedFd(), ev);
        }
    }

    /** Compiles the decision path before the kernel depends on it. */
    void warmUp() {
        engine.warmUp();
    }

    /** Wakes the loop from its idle wait, e.g. to stop. */
    void wakeUp() {
        wakeRequested = true;
    }

    /** Schedules until {@code stop} says so or the kernel ejects the scheduler. */
    void run(BooleanSupplier stop) {
        Thread.currentThread().setName("jthulhu-scheduler");
        // BPF gives this thread, and no other JVM thread, priority over all queued work.
        LONG.setRelease(shared, SharedLayout.SCHEDULER_TID, (long) Libc.gettid());
        try {
            while (!stop.getAsBoolean() && !kernelExited()) {
                LONG.setRelease(shared, SharedLayout.JAVA_HEARTBEAT_NS, System.nanoTime());
                // Never take a record the engine cannot hold: a consumed record is gone from the ring.
                int room = Math.min(MAX_BATCH, engine.remainingCapacity());
                int taken = room > 0 ? queued.consume(this, room) : 0;
                int sent = flush();
                count(PASSES, 1);
                count(RECORDS, taken);
                if (taken == 0 && sent == 0 && !wakeRequested) {
                    count(SLEEPS, 1);
                    // Nothing new: sleep until BPF queues work. If decisions are still waiting for
                    // room in the dispatch ring, only nap: BPF drains it as CPUs dispatch.
                    Libc.epoll_wait(epollFd, epollEvents, 4, engine.pending() > 0 ? RING_FULL_WAIT_MS : IDLE_WAIT_MS);
                }
            }
        } finally {
            Libc.close(epollFd);
            epollEvents.close();
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
        // Shorter records are BPF's nudges: commits whose only purpose was to wake this loop for a batch.
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
