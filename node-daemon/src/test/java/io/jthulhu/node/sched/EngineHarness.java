package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.bpf.layout.DispatchLayout;
import io.jthulhu.node.bpf.layout.DispatchRecord;
import io.jthulhu.node.bpf.layout.QueuedTaskLayout;
import io.jthulhu.node.bpf.layout.QueuedTaskRecord;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Plays the BPF side for engine tests: writes queued-task records, reads decisions. */
final class EngineHarness {
    final PolicyEngine engine;
    final boolean[] idle;
    final int nrCpus;
    private final ByteBuffer recordBuffer = ByteBuffer.allocateDirect(QueuedTaskLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final QueuedTaskRecord record = new QueuedTaskRecord().wrap(recordBuffer, 0);
    private final ByteBuffer decisionBuffer = ByteBuffer.allocateDirect(DispatchLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    final DispatchRecord decision = new DispatchRecord().wrap(decisionBuffer, 0);
    private long seq;

    EngineHarness(SchedulerConfig config, CpuTopology topology) {
        this.nrCpus = topology.nrCpus();
        this.idle = new boolean[nrCpus];
        this.engine = new PolicyEngine(config, topology, cpu -> idle[cpu]);
    }

    EngineHarness(int nrCpus) {
        this(SchedulerConfig.defaults(), CpuTopology.uniform(nrCpus));
    }

    /** A zeroed record for a nice-0, unrestricted task on CPU 0 with a fresh seq; caller adjusts. */
    QueuedTaskRecord task(int pid) {
        for (int i = 0; i < QueuedTaskLayout.SIZE; i += 8) {
            recordBuffer.putLong(i, 0);
        }
        return record.pid(pid).tgid(pid).weight(Abi.WEIGHT_DEFAULT).nrCpusAllowed(nrCpus).seq(++seq);
    }

    /** The seq given to the record last built by {@link #task}. */
    long lastSeq() {
        return seq;
    }

    /** Enqueues the record last built by {@link #task}. */
    boolean submit() {
        return engine.enqueue(recordBuffer, 0);
    }

    /** Pops one decision into {@link #decision}; false if the queue was empty. */
    boolean next() {
        return engine.dispatchNext(decisionBuffer, 0);
    }

    /** Pops one decision and returns its pid (fails the test if the queue is empty). */
    int nextPid() {
        if (!next()) {
            throw new AssertionError("expected a decision, queue empty");
        }
        return decision.pid();
    }
}
