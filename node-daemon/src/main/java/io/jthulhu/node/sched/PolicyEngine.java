package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.DispatchRecord;
import io.jthulhu.node.bpf.layout.QueuedTaskLayout;
import io.jthulhu.node.bpf.layout.QueuedTaskRecord;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The scheduling policy: turns queued-task records (BPF -> Java) into dispatch decisions
 * (Java -> BPF). The daemon loop {@link #enqueue}s every available record, then calls
 * {@link #dispatchNext} while {@link #pending()} > 0 (or the dispatch ring is full); decisions come out
 * in deadline order. Single-threaded; allocates nothing after construction.
 *
 * <h2>Virtual time</h2>
 * BPF keeps each task's vtime, weighted by its effective weight (the policy weight when a policy
 * sets one, else p->scx.weight), and limits a sleeper's credit to one slice behind the running
 * tasks. The engine uses it as is, and on wakeup (or for a task new to the engine) additionally
 * clamps it to {@code vtimeNow - vtimeCredit} (vtimeCredit = k base slices). Runnable tasks
 * re-queued at slice expiry are not clamped: hogs of different weights settle at different
 * vtimes, and clamping them would break the weighted share. {@code vtimeNow} follows the vtimes
 * dispatched: it never decreases and moves towards a larger one by at most a base slice per
 * decision, so an outlier (a task that ran alone on an idle CPU) cannot drag it away.
 *
 * <h2>Deadline (the ordering key: decisions leave in deadline order, and BPF queues "any CPU"
 * decisions by it)</h2>
 * <pre>
 *   w        = effective weight (1..10000, 100 = nice 0)
 *   runtime  = min(exec_runtime, runtimeCap) * 100 / w        (CPU used since the task last slept)
 *   freq     = wakeups per second: EWMA of voluntary context switches / time between records
 *   deadline = vtime + runtime / (1 + log2(1 + min(freq, 1023))) + classOffset
 *   classOffset: LatencyCritical -latencyCriticalBonus, Normal 0, Batch +batchPenalty, Idle +idleOffset
 * </pre>
 * Tasks that sleep often run little between sleeps (small runtime) and wake frequently (the
 * divisor grows to 11 at ~1000 wakeups/s), so they sort ahead of CPU hogs, whose runtime term is
 * large and undivided. The cap keeps a hog from being pushed back without bound, vtime keeps the
 * long-run CPU share proportional to weight. Negative deadlines are clamped to 0.
 *
 * <h2>Slice</h2>
 * {@code slice = classBase * nrCpus / (nrCpus + nrWaiting)}, at least minSlice, where nrWaiting is
 * the number of tasks still queued here plus {@link #setExternalWaiting}, and classBase is
 * baseSlice (Normal, Idle), baseSlice/2 (LatencyCritical) or 4*baseSlice capped at maxSlice
 * (Batch). A policy slice_us replaces the result, clamped to [minSlice, maxSlice].
 *
 * <h2>CPU</h2>
 * prev_cpu if idle; else, for a task allowed on one CPU only, prev_cpu (where it waits by
 * deadline; BPF re-checks affinity and queues it for any CPU if prev_cpu is not allowed any more);
 * else, for a task allowed on fewer CPUs than exist, {@link Abi#CPU_ANY}; else the first idle CPU in prev_cpu's {@link CpuTopology} search order
 * (same LLC first); else {@link Abi#CPU_ANY}. A CPU chosen as idle is not handed out again until
 * the next round (a round starts with the first enqueue after a dispatch), because BPF has not
 * consumed the decision yet and the idle view still says idle.
 *
 * <h2>Preemption (only for a task that woke up; BPF finds the victim)</h2>
 * {@link Abi#DISPATCH_PREEMPT} (LatencyCritical and Normal): with no idle CPU, the task preempts
 * the running task with the latest deadline if that deadline is later than its own by more than
 * BPF's margin and its class is not higher, the way EEVDF lets a waking task with an earlier
 * virtual deadline run first. {@link Abi#DISPATCH_PREEMPT_CLASS} (a policy with
 * JT_POLICY_PREEMPT, which is the default for LatencyCritical): it also preempts a task of a
 * lower class whatever the deadlines. Batch and Idle never preempt by deadline.
 *
 * <h2>Classes (jt_policy, when JT_POLICY_PRESENT is set; otherwise Normal)</h2>
 * LatencyCritical: deadline bonus, half slice. Normal: as above. Batch: longer slice, deadline
 * penalty. Idle: its vtime is at least vtimeNow (it earns no credit by waiting), plus an offset so
 * large it runs when nothing else waits (BPF moves a decision that waited longer than its
 * starvation bound to the first-come first-served queue). Unknown classes are Normal.
 *
 * <h2>Odd input</h2>
 * pid <= 0: consumed, counted in {@link #invalidRecords()}, no decision. Task weight 0 -> 100,
 * above 10000 -> 10000; policy weight 0 -> task weight. prev_cpu outside the topology: no
 * preference. A second record for a pid still queued replaces the first (only the newest seq
 * gets a decision; an older seq arriving late is dropped), counted in {@link #mergedRecords()}.
 */
public final class PolicyEngine {
    private static final int MAX_WAKE_FREQ = 1023;
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    private final SchedulerConfig config;
    private final CpuTopology topology;
    private final CpuIdleView idle;
    private final int nrCpus;
    private final RunQueue queue;
    private final TaskHistory history;
    private final QueuedTaskRecord in = new QueuedTaskRecord();
    private final DispatchRecord out = new DispatchRecord();
    /** claimedRound[cpu] == round: the CPU was handed out as idle in this round. */
    private final int[] claimedRound;
    private int round = 1;
    private boolean dispatchedThisRound;

    private long vtimeNow;
    private int externalWaiting;
    private long enqueued;
    private long dispatched;
    private long merged;
    private long invalid;
    private long rejectedFull;

    public PolicyEngine(SchedulerConfig config, CpuTopology topology, CpuIdleView idle) {
        this.config = config;
        this.topology = topology;
        this.idle = idle;
        this.nrCpus = topology.nrCpus();
        this.queue = new RunQueue(config.queueCapacity());
        this.history = new TaskHistory(config.historyCapacity());
        this.claimedRound = new int[nrCpus];
    }

    /** Reads the jt_queued_task at {@code offset} of {@code buffer}; see {@link #enqueue(QueuedTaskRecord)}. */
    public boolean enqueue(ByteBuffer buffer, int offset) {
        return enqueue(in.wrap(buffer, offset));
    }

    /**
     * Takes one queued-task record into the run queue (the record is copied; the buffer may be
     * reused when this returns).
     *
     * @return true if the record was consumed (queued, merged, or dropped as invalid/stale);
     *         false if the queue is full and nothing was changed: keep the record and retry after
     *         dispatching (or check {@link #remainingCapacity()} before reading records)
     */
    public boolean enqueue(QueuedTaskRecord rec) {
        int pid = rec.pid();
        if (pid <= 0) {
            invalid++;
            return true;
        }
        if (dispatchedThisRound) {
            round++;
            dispatchedThisRound = false;
        }
        int h = history.find(pid);
        int slot = h >= 0 ? (int) history.get(h, TaskHistory.QUEUE_SLOT) : -1;
        boolean merge = slot >= 0 && queue.pid[slot] == pid;
        if (merge && Long.compareUnsigned(rec.seq(), queue.seq[slot]) < 0) {
            merged++;
            return true;
        }
        if (!merge && queue.isFull()) {
            rejectedFull++;
            return false;
        }
        if (h < 0 || history.get(h, TaskHistory.TGID) != rec.tgid()) {
            h = history.claim(pid, rec.tgid());
        }

        int policyFlags = rec.policyFlags();
        boolean hasPolicy = (policyFlags & Abi.POLICY_PRESENT) != 0;
        int taskWeight = sanitizeWeight(rec.weight(), Abi.WEIGHT_DEFAULT);
        int weight = hasPolicy ? sanitizeWeight(rec.policyWeight(), taskWeight) : taskWeight;
        int schedClass = hasPolicy ? sanitizeClass(rec.policyClass()) : Abi.CLASS_NORMAL;

        int taskFlags = rec.flags();
        boolean wakeup = (taskFlags & Abi.TASK_WAKEUP) != 0;
        long vtime = clampVtime(h, rec.vtime(), wakeup);
        if (schedClass == Abi.CLASS_IDLE && vtime < vtimeNow) {
            // An Idle task earns no credit by waiting: measured from vtimeNow, its offset keeps it behind
            // the other classes for good. With its own vtime, other tasks' vtimes caught up with the
            // offset within seconds and it got a fair share again (6 % of the CPU after ~10 s).
            vtime = vtimeNow;
        }
        long freq = updateWakeFreq(h, rec.nvcsw(), rec.enqueuedAt());

        long runtime = rec.execRuntime();
        if (runtime < 0 || runtime > config.runtimeCapNs()) {
            runtime = config.runtimeCapNs();
        }
        long runtimeTerm = runtime * Abi.WEIGHT_DEFAULT / weight / (1 + log2(1 + freq));
        long deadline = vtime + runtimeTerm + classOffset(schedClass);
        if (deadline < 0) {
            deadline = 0;
        }

        int flags = 0;
        if (wakeup) {
            if (schedClass == Abi.CLASS_LATENCY_CRITICAL || schedClass == Abi.CLASS_NORMAL) {
                flags |= Abi.DISPATCH_PREEMPT;
            }
            if (hasPolicy && schedClass != Abi.CLASS_IDLE && (policyFlags & Abi.POLICY_PREEMPT) != 0) {
                flags |= Abi.DISPATCH_PREEMPT_CLASS;
            }
        }
        long sliceOverride = 0;
        int sliceUs = rec.policySliceUs();
        if (hasPolicy && sliceUs != 0) {
            sliceOverride = clamp(Integer.toUnsignedLong(sliceUs) * 1000, config.minSliceNs(), config.maxSliceNs());
        }

        boolean inPlace = false;
        if (merge) {
            if (queue.isFull()) {
                inPlace = true; // overloaded: keep the old heap position, take the new contents
            } else {
                queue.markStale(slot);
                slot = queue.allocate();
            }
        } else {
            slot = queue.allocate();
        }
        queue.pid[slot] = pid;
        queue.seq[slot] = rec.seq();
        queue.prevCpu[slot] = rec.prevCpu();
        queue.nrCpusAllowed[slot] = rec.nrCpusAllowed();
        queue.schedClass[slot] = schedClass;
        queue.dispatchFlags[slot] = flags;
        queue.sliceOverrideNs[slot] = sliceOverride;
        queue.vtime[slot] = vtime;
        queue.deadline[slot] = deadline;
        queue.historySlot[slot] = h;
        history.set(h, TaskHistory.QUEUE_SLOT, slot);
        if (!inPlace) {
            queue.push(slot);
        }
        if (merge) {
            merged++;
        } else {
            enqueued++;
        }
        return true;
    }

    /**
     * Pops the task with the earliest deadline and writes its decision as a jt_dispatch at
     * {@code offset} of {@code buffer} (little-endian, at least 40 bytes there).
     *
     * @return false if the queue is empty (nothing written)
     */
    public boolean dispatchNext(ByteBuffer buffer, int offset) {
        if (queue.live() == 0) {
            return false;
        }
        DispatchRecord d = out.wrap(buffer, offset);
        int slot = queue.pop();
        int pid = queue.pid[slot];
        int h = queue.historySlot[slot];
        if (history.pid(h) == pid && history.get(h, TaskHistory.QUEUE_SLOT) == slot) {
            history.set(h, TaskHistory.QUEUE_SLOT, -1);
        }
        if (queue.vtime[slot] > vtimeNow) {
            // One step of at most a slice: a task far ahead (it ran alone on an idle CPU) must not
            // drag every waking task's floor past the tasks it should run before.
            vtimeNow += Math.min(queue.vtime[slot] - vtimeNow, config.baseSliceNs());
        }
        int schedClass = queue.schedClass[slot];
        d.write(pid, selectCpu(queue.prevCpu[slot], queue.nrCpusAllowed[slot]),
                sliceNs(schedClass, queue.sliceOverrideNs[slot]), queue.deadline[slot], queue.seq[slot],
                queue.dispatchFlags[slot], schedClass);
        queue.release(slot);
        dispatchedThisRound = true;
        dispatched++;
        return true;
    }

    /**
     * Runs synthetic records through a scratch engine of the same configuration and topology, so
     * the JIT compiles the decision path before the kernel depends on it. This engine's state is
     * untouched. Allocates (once, at startup).
     */
    public void warmUp() {
        PolicyEngine scratch = new PolicyEngine(config, topology, cpu -> (cpu & 1) == 0);
        ByteBuffer rec = ByteBuffer.allocateDirect(QueuedTaskLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer dec = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
        QueuedTaskRecord r = new QueuedTaskRecord().wrap(rec, 0);
        int batch = Math.min(64, config.queueCapacity());
        for (int i = 0; i < 20_000; i++) {
            int k = i % 500;
            r.pid(1 + k).tgid(1 + k).prevCpu(k % nrCpus).nrCpusAllowed(nrCpus).weight(50 + k)
                    .flags(i & Abi.TASK_WAKEUP).execRuntime(k * 10_000L).nvcsw(i / 7).vtime(i * 1_000L)
                    .seq(i).enqueuedAt(i * 100_000L).policy(k & 3, 0, 0, k & 3);
            scratch.enqueue(rec, 0);
            if (scratch.pending() >= batch) {
                while (scratch.dispatchNext(dec, 0)) {
                    // drain the batch
                }
            }
        }
    }

    /** BPF's vtime, clamped to the credit window when the task woke up or is new here. */
    private long clampVtime(int h, long bpfVtime, boolean wakeup) {
        boolean fresh = history.get(h, TaskHistory.LAST_SEEN_NS) == TaskHistory.NEVER;
        long floor = vtimeNow - config.vtimeCreditNs();
        return (wakeup || fresh) && bpfVtime < floor ? floor : bpfVtime;
    }

    private long updateWakeFreq(int h, long nvcsw, long now) {
        long last = history.get(h, TaskHistory.LAST_SEEN_NS);
        long freq = history.get(h, TaskHistory.WAKE_FREQ);
        if (last != TaskHistory.NEVER) {
            long switches = nvcsw - history.get(h, TaskHistory.LAST_NVCSW);
            long elapsed = now - last;
            if (switches >= 0 && elapsed > 0) {
                long sample = switches >= MAX_WAKE_FREQ ? MAX_WAKE_FREQ
                        : Math.min(switches * NSEC_PER_SEC / elapsed, MAX_WAKE_FREQ);
                freq = (3 * freq + sample) >> 2;
            }
        }
        history.set(h, TaskHistory.WAKE_FREQ, freq);
        history.set(h, TaskHistory.LAST_NVCSW, nvcsw);
        history.set(h, TaskHistory.LAST_SEEN_NS, now == TaskHistory.NEVER ? now + 1 : now);
        return freq;
    }

    private long classOffset(int schedClass) {
        switch (schedClass) {
            case Abi.CLASS_LATENCY_CRITICAL:
                return -config.latencyCriticalBonusNs();
            case Abi.CLASS_BATCH:
                return config.batchPenaltyNs();
            case Abi.CLASS_IDLE:
                return config.idleOffsetNs();
            default:
                return 0;
        }
    }

    private long sliceNs(int schedClass, long override) {
        if (override != 0) {
            return override;
        }
        long base = config.baseSliceNs();
        if (schedClass == Abi.CLASS_LATENCY_CRITICAL) {
            base /= 2;
        } else if (schedClass == Abi.CLASS_BATCH) {
            base = Math.min(base * 4, config.maxSliceNs());
        }
        long slice = base * nrCpus / (nrCpus + (long) queue.live() + externalWaiting);
        return Math.max(slice, config.minSliceNs());
    }

    private int selectCpu(int prevCpu, int nrCpusAllowed) {
        boolean prevValid = prevCpu >= 0 && prevCpu < nrCpus;
        if (prevValid && tryClaim(prevCpu)) {
            return prevCpu;
        }
        if (nrCpusAllowed == 1) {
            return prevValid ? prevCpu : Abi.CPU_ANY;
        }
        if (nrCpusAllowed < nrCpus) {
            return Abi.CPU_ANY;
        }
        int[] order = topology.searchOrderShared(prevValid ? prevCpu : 0);
        if (!prevValid && tryClaim(0)) {
            return 0;
        }
        for (int i = 0; i < order.length; i++) {
            if (tryClaim(order[i])) {
                return order[i];
            }
        }
        return Abi.CPU_ANY;
    }

    private boolean tryClaim(int cpu) {
        if (claimedRound[cpu] == round || !idle.isIdle(cpu)) {
            return false;
        }
        claimedRound[cpu] = round;
        return true;
    }

    private static int sanitizeWeight(int weight, int ifUnset) {
        if (weight == 0) {
            return ifUnset;
        }
        return weight < 0 || weight > Abi.WEIGHT_MAX ? Abi.WEIGHT_MAX : weight;
    }

    private static int sanitizeClass(int schedClass) {
        return schedClass >= Abi.CLASS_NORMAL && schedClass <= Abi.CLASS_IDLE ? schedClass : Abi.CLASS_NORMAL;
    }

    private static long clamp(long v, long min, long max) {
        return v < min ? min : Math.min(v, max);
    }

    private static int log2(long v) {
        return 63 - Long.numberOfLeadingZeros(v);
    }

    /**
     * Tasks waiting for a CPU outside this queue (e.g. already dispatched, in BPF's queues),
     * counted with the queue length when shrinking slices. Values below 0 count as 0.
     */
    public void setExternalWaiting(int tasks) {
        externalWaiting = Math.max(tasks, 0);
    }

    /** Tasks queued and not yet dispatched. */
    public int pending() {
        return queue.live();
    }

    /** True if the next {@link #enqueue} is guaranteed to be accepted. */
    public boolean hasRoom() {
        return !queue.isFull();
    }

    /** Records {@link #enqueue} is guaranteed to accept before the next {@link #dispatchNext}. */
    public int remainingCapacity() {
        return queue.free();
    }

    /** The largest vtime dispatched so far. */
    public long vtimeNow() {
        return vtimeNow;
    }

    public SchedulerConfig config() {
        return config;
    }

    /** Records queued as new tasks. */
    public long enqueuedRecords() {
        return enqueued;
    }

    /** Decisions written. */
    public long dispatchedRecords() {
        return dispatched;
    }

    /** Records that replaced, or lost to, a queued record of the same pid. */
    public long mergedRecords() {
        return merged;
    }

    /** Records dropped for a pid <= 0. */
    public long invalidRecords() {
        return invalid;
    }

    /** enqueue() calls refused because the queue was full. */
    public long rejectedFull() {
        return rejectedFull;
    }
}
