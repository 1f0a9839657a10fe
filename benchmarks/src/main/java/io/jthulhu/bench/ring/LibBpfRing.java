package io.jthulhu.bench.ring;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.jthulhu.node.bpf.LibBpfLibrary;

/**
 * The libbpf calls only this benchmark needs (JNA direct mapping): libbpf's own ring-buffer
 * consumer, which the daemon does not use, and BPF_PROG_TEST_RUN with a context argument.
 */
final class LibBpfRing {
    static {
        Native.register(LibBpfLibrary.load());
    }

    private LibBpfRing() {
    }

    /** ring_buffer_sample_fn: int (*)(void *ctx, void *data, size_t size); non-zero stops consuming. */
    interface SampleCallback extends Callback {
        int invoke(Pointer ctx, Pointer data, long size);
    }

    /** struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn, void *ctx, opts); NULL + errno on error. */
    static native Pointer ring_buffer__new(int mapFd, SampleCallback sampleCallback, Pointer ctx, Pointer opts);

    /** Calls the sample callback for every committed record; returns their number or a negative errno. */
    static native int ring_buffer__consume(Pointer ringBuffer);

    static native void ring_buffer__free(Pointer ringBuffer);

    /** int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts); negative errno on error. */
    static native int bpf_prog_test_run_opts(int progFd, Pointer opts);
}
