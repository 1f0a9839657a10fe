package io.jthulhu.bench.ring;

import com.sun.jna.Pointer;
import io.jthulhu.node.bpf.RingBufferConsumer;
import io.jthulhu.node.bpf.layout.QueuedTaskLayout;
import io.jthulhu.node.sched.CpuTopology;
import io.jthulhu.node.sched.PolicyEngine;
import io.jthulhu.node.sched.SchedulerConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Issue 2: cost per record of consuming the "queued" BPF ring buffer (96-byte struct
 * jt_queued_task records, written by the running kernel through ring_fill.bpf.o) in two ways:
 * <ul>
 *   <li>{@code libbpf*}: libbpf's ring_buffer__consume with a JNA callback per record;</li>
 *   <li>{@code direct*}: the daemon's {@link RingBufferConsumer}, which reads the memory-mapped
 *       ring itself (no native call per record).</li>
 * </ul>
 * Each way feeds either a minimal decode ({@code *PidSeq}: pid and seq) or the whole record into
 * the {@link PolicyEngine} ({@code *Engine}). The kernel fills the ring before each invocation
 * (not timed); the benchmark method only consumes. Score = ns per record; with {@code -prof gc},
 * gc.alloc.rate.norm is bytes per record. Needs root (BPF_PROG_TEST_RUN, ring buffers).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class RingConsumeBenchmark {
    /** CPUs of the engine's topology; the records' prev_cpu cycles over them. */
    private static final int NR_CPUS = 2;

    /** 1024 records per invocation. */
    @OperationsPerInvocation(1024)
    public static class Records1024 extends RingConsumeBenchmark {
        public Records1024() {
            super(1024);
        }
    }

    /** 4096 records per invocation (the ring holds 5041). */
    @OperationsPerInvocation(4096)
    public static class Records4096 extends RingConsumeBenchmark {
        public Records4096() {
            super(4096);
        }
    }

    private final int batch;
    private RingFill kernel;
    private RingBufferConsumer direct;
    private Pointer libbpfPidSeq;
    private Pointer libbpfEngine;
    private PolicyEngine engine;
    private final ByteBuffer decision = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
    /** The JNA engine variant copies each record here: the engine reads a ByteBuffer. */
    private final byte[] recordBytes = new byte[QueuedTaskLayout.SIZE];
    private final ByteBuffer recordCopy = ByteBuffer.wrap(recordBytes).order(ByteOrder.LITTLE_ENDIAN);

    private long round;
    private long checksum;
    private int wrongSize;
    private int consumed;

    // Fields, not lambdas at the call site: libbpf keeps the callbacks' function pointers, and a
    // capturing lambda would allocate on every consume.
    private final LibBpfRing.SampleCallback pidSeqCallback = (ctx, data, size) -> {
        if (size != QueuedTaskLayout.SIZE) {
            wrongSize++;
            return 0;
        }
        checksum += data.getInt(QueuedTaskLayout.PID) + data.getLong(QueuedTaskLayout.SEQ);
        return 0;
    };
    private final LibBpfRing.SampleCallback engineCallback = (ctx, data, size) -> {
        if (size != QueuedTaskLayout.SIZE) {
            wrongSize++;
            return 0;
        }
        data.read(0, recordBytes, 0, QueuedTaskLayout.SIZE);
        return engine.enqueue(recordCopy, 0) ? 0 : -1; // libbpf stops only on a negative return
    };
    private final RingBufferConsumer.RecordSink pidSeqSink = (buffer, offset, length) -> {
        if (length != QueuedTaskLayout.SIZE) {
            wrongSize++;
            return true;
        }
        checksum += buffer.getInt(offset + QueuedTaskLayout.PID) + buffer.getLong(offset + QueuedTaskLayout.SEQ);
        return true;
    };
    private final RingBufferConsumer.RecordSink engineSink = (buffer, offset, length) -> {
        if (length != QueuedTaskLayout.SIZE) {
            wrongSize++;
            return true;
        }
        return engine.enqueue(buffer, offset);
    };

    protected RingConsumeBenchmark(int batch) {
        this.batch = batch;
    }

    @Setup(Level.Trial)
    public void load() {
        kernel = RingFill.load();
        long recordsFit = kernel.ringBytes / (8 + QueuedTaskLayout.SIZE);
        if (batch > recordsFit) {
            throw new IllegalStateException(batch + " records do not fit the " + kernel.ringBytes + "-byte ring");
        }
        direct = new RingBufferConsumer(kernel.ringFd, kernel.ringBytes);
        libbpfPidSeq = newLibbpfConsumer(pidSeqCallback);
        libbpfEngine = newLibbpfConsumer(engineCallback);
        engine = new PolicyEngine(SchedulerConfig.defaults(), CpuTopology.uniform(NR_CPUS), cpu -> cpu == 0);
    }

    private Pointer newLibbpfConsumer(LibBpfRing.SampleCallback callback) {
        Pointer rb = LibBpfRing.ring_buffer__new(kernel.ringFd, callback, null, null);
        if (rb == null) {
            throw new IllegalStateException("ring_buffer__new failed for the queued ring (fd " + kernel.ringFd + ")");
        }
        return rb;
    }

    /** Untimed: empties the engine (the decisions are not part of consuming), then the kernel writes a batch. */
    @Setup(Level.Invocation)
    public void fillRing() {
        while (engine.dispatchNext(decision, 0)) {
            // drained
        }
        checksum = 0;
        consumed = -1;
        round++;
        int written = kernel.fill(batch, NR_CPUS, round);
        if (written != batch) {
            throw new IllegalStateException("the kernel wrote " + written + " of " + batch + " records: ring full");
        }
    }

    /** Untimed: every record was consumed once and reached its reader intact. */
    @TearDown(Level.Invocation)
    public void verify() {
        if (consumed != batch) {
            throw new IllegalStateException("consumed " + consumed + " records, expected " + batch);
        }
        if (direct.pendingBytes() != 0) {
            throw new IllegalStateException(direct.pendingBytes() + " bytes left in the ring after consuming");
        }
        if (wrongSize != 0) {
            throw new IllegalStateException(wrongSize + " records had a length other than " + QueuedTaskLayout.SIZE);
        }
        // pid = i + 1, seq = round * batch + i + 1 for i in [0, batch)
        long pidSeqSum = (long) batch * (batch + 1) + round * batch * batch;
        boolean decoded = checksum == pidSeqSum && engine.pending() == 0;
        boolean enqueued = checksum == 0 && engine.pending() == batch;
        if (!decoded && !enqueued) {
            throw new IllegalStateException("pid+seq checksum " + checksum + " (expected " + pidSeqSum
                    + ") and engine queue " + engine.pending() + " (expected " + batch + ") match no variant");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        LibBpfRing.ring_buffer__free(libbpfPidSeq);
        LibBpfRing.ring_buffer__free(libbpfEngine);
        direct.close();
        kernel.close();
    }

    @Benchmark
    public int libbpfCallbackPidSeq() {
        return consumed = LibBpfRing.ring_buffer__consume(libbpfPidSeq);
    }

    @Benchmark
    public int libbpfCallbackEngine() {
        return consumed = LibBpfRing.ring_buffer__consume(libbpfEngine);
    }

    @Benchmark
    public int directPidSeq() {
        return consumed = direct.consume(pidSeqSink, Integer.MAX_VALUE);
    }

    @Benchmark
    public int directEngine() {
        return consumed = direct.consume(engineSink, Integer.MAX_VALUE);
    }
}
