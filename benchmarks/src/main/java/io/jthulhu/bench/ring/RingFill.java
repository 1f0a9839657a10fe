package io.jthulhu.bench.ring;

import com.sun.jna.Memory;
import io.jthulhu.node.bpf.BpfObject;
import io.jthulhu.node.sys.Libc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The kernel side of the benchmark: ring_fill.bpf.o (src/main/bpf) loaded into the running kernel.
 * {@link #fill} runs its SEC("syscall") program once through BPF_PROG_TEST_RUN, which writes
 * struct jt_queued_task records into the BPF_MAP_TYPE_RINGBUF "queued".
 */
final class RingFill implements AutoCloseable {
    private static final String OBJECT_RESOURCE = "ring_fill.bpf.o";
    /** struct fill_args in ring_fill.bpf.c. */
    private static final int ARGS_COUNT = 0;
    private static final int ARGS_NR_CPUS = 4;
    private static final int ARGS_ROUND = 8;
    private static final int ARGS_SIZE = 16;
    /** struct bpf_test_run_opts (libbpf 1.4). */
    private static final int OPTS_CTX_IN = 32;
    private static final int OPTS_CTX_SIZE_IN = 48;
    private static final int OPTS_RETVAL = 56;
    private static final int OPTS_SIZE = 80;

    private final BpfObject object;
    private final int fillProgram;
    private final Memory args = new Memory(ARGS_SIZE);
    private final Memory opts = new Memory(OPTS_SIZE);
    /** fd of the "queued" ring buffer map. */
    final int ringFd;
    /** Data size of the ring in bytes (a power of two). */
    final int ringBytes;

    private RingFill(BpfObject object) {
        this.object = object;
        this.fillProgram = object.programFd("fill");
        this.ringFd = BpfObject.fd(object.map("queued"));
        this.ringBytes = BpfObject.maxEntries(object.map("queued"));
    }

    /** Loads the object into the kernel (root or CAP_BPF + CAP_PERFMON needed). */
    static RingFill load() {
        Path file = extractObject();
        BpfObject object = null;
        try {
            object = BpfObject.open(file);
            object.load("ring_fill benchmark object");
            return new RingFill(object);
        } catch (RuntimeException e) {
            if (object != null) {
                object.close();
            }
            throw e;
        } finally {
            deleteQuietly(file); // loaded into the kernel: the file is no longer needed
        }
    }

    /** libbpf opens a file: copy the object out of the (shaded) jar. */
    private static Path extractObject() {
        try (InputStream in = RingFill.class.getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OBJECT_RESOURCE + " is not on the classpath next to "
                        + RingFill.class.getName() + ": build the benchmarks module with Maven (it runs clang-19)");
            }
            Path file = Files.createTempFile("ring_fill", ".bpf.o");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + OBJECT_RESOURCE, e);
        }
    }

    /**
     * Writes {@code count} records (pid 1..count, prev_cpu cycling over {@code nrCpus}, seq =
     * round * count + pid) into the ring.
     *
     * @return the number of records written: fewer than {@code count} when the ring filled up
     */
    int fill(int count, int nrCpus, long round) {
        args.setInt(ARGS_COUNT, count);
        args.setInt(ARGS_NR_CPUS, nrCpus);
        args.setLong(ARGS_ROUND, round);
        opts.clear();
        opts.setLong(0, OPTS_SIZE);
        opts.setPointer(OPTS_CTX_IN, args);
        opts.setInt(OPTS_CTX_SIZE_IN, ARGS_SIZE);
        int err = LibBpfRing.bpf_prog_test_run_opts(fillProgram, opts);
        if (err != 0) {
            throw new IllegalStateException("BPF_PROG_TEST_RUN of ring_fill's fill program failed: " + Libc.strerror(-err));
        }
        int written = opts.getInt(OPTS_RETVAL);
        if (written < 0) {
            throw new IllegalStateException("ring_fill's fill program failed: bpf_loop rejected count " + count);
        }
        return written;
    }

    @Override
    public void close() {
        object.close();
        args.close();
        opts.close();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
