package io.jthulhu.node.bpf;

import io.jthulhu.node.sys.Libc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The memory layout both BPF ring types share (kernel/bpf/ringbuf.c): page 0 holds the consumer
 * position, page 1 the producer position, then the data area mapped twice so a record that wraps
 * is still contiguous. Each record has an 8-byte header whose first u32 is the length with the
 * BUSY (not yet committed) and DISCARD bits; records are 8-byte aligned. Only who may write which
 * page differs between a kernel-produced and a user-produced ring.
 */
final class RingMapping implements AutoCloseable {
    static final int HEADER_SIZE = 8;
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final MappedRegion consumerPage;
    private final MappedRegion producerArea;
    /** Page 0: the consumer position at offset 0. */
    final ByteBuffer cons;
    /** Page 1 (producer position at offset 0) followed by the double-mapped data. */
    final ByteBuffer data;
    final int dataStart;
    final long mask;
    final long capacity;

    RingMapping(int mapFd, int sizeBytes, int consumerProt, int producerProt, String what) {
        if (Integer.bitCount(sizeBytes) != 1) {
            throw new IllegalArgumentException(what + " size must be a power of two: " + sizeBytes);
        }
        int page = Libc.getpagesize();
        this.consumerPage = MappedRegion.map(mapFd, 0, page, consumerProt, what + " consumer page");
        this.producerArea = MappedRegion.map(mapFd, page, page + 2L * sizeBytes, producerProt, what + " data");
        this.cons = consumerPage.buffer;
        this.data = producerArea.buffer;
        this.dataStart = page;
        this.mask = sizeBytes - 1L;
        this.capacity = sizeBytes;
    }

    /**
     * A ring in process memory with the same layout, for running the transport before attach. The
     * data area is not mapped twice: a record that wraps is read where it was written, which is all
     * a writer in this process needs.
     */
    RingMapping(int sizeBytes) {
        if (Integer.bitCount(sizeBytes) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two: " + sizeBytes);
        }
        int page = Libc.getpagesize();
        this.consumerPage = null;
        this.producerArea = null;
        this.cons = ByteBuffer.allocateDirect(page).order(ByteOrder.LITTLE_ENDIAN);
        this.data = ByteBuffer.allocateDirect(page + 2 * sizeBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.dataStart = page;
        this.mask = sizeBytes - 1L;
        this.capacity = sizeBytes;
    }

    /** Absolute offset in {@link #data} of the record header at ring position {@code pos}. */
    int headerAt(long pos) {
        return dataStart + (int) (pos & mask);
    }

    long consumerPos() {
        return (long) LONG.getAcquire(cons, 0);
    }

    long producerPos() {
        return (long) LONG.getAcquire(data, 0);
    }

    /** Bytes produced and not consumed yet. */
    long pendingBytes() {
        return producerPos() - consumerPos();
    }

    static long recordSpan(int length) {
        return (length + HEADER_SIZE + 7) & ~7L;
    }

    @Override
    public void close() {
        if (producerArea != null) {
            producerArea.close();
            consumerPage.close();
        }
    }
}
