package io.jthulhu.node.bpf;

import io.jthulhu.node.sys.Libc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes a BPF_MAP_TYPE_USER_RINGBUF through its memory mapping; BPF drains it with
 * bpf_user_ringbuf_drain(). Page 0 holds the kernel's consumer position (read-only for us),
 * page 1 our producer position, then the double-mapped data area. A sample is reserved by
 * writing its header with the BUSY bit and advancing the producer position, and committed by
 * clearing BUSY. Single producer: only the scheduler thread may call {@link #reserve}.
 */
public final class UserRingBufferProducer implements AutoCloseable {
    private static final int HEADER_SIZE = RingBufferConsumer.HEADER_SIZE;
    private static final int BUSY_BIT = RingBufferConsumer.BUSY_BIT;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final MappedRegion consumerPage;
    private final MappedRegion producerArea;
    private final ByteBuffer cons;
    private final ByteBuffer data;
    private final int dataStart;
    private final long mask;
    private final long capacity;

    UserRingBufferProducer(int mapFd, int sizeBytes) {
        if (Integer.bitCount(sizeBytes) != 1) {
            throw new IllegalArgumentException("user ring buffer size must be a power of two: " + sizeBytes);
        }
        int page = Libc.getpagesize();
        this.consumerPage = MappedRegion.map(mapFd, 0, page, Libc.PROT_READ, "user ringbuf consumer page");
        this.producerArea = MappedRegion.map(mapFd, page, page + 2L * sizeBytes,
                Libc.PROT_READ | Libc.PROT_WRITE, "user ringbuf data");
        this.cons = consumerPage.buffer;
        this.data = producerArea.buffer;
        this.dataStart = page;
        this.mask = sizeBytes - 1L;
        this.capacity = sizeBytes;
    }

    /** The buffer that {@link #reserve} offsets point into. */
    public ByteBuffer buffer() {
        return data;
    }

    /**
     * Reserves {@code size} bytes for one sample.
     *
     * @return the absolute offset of the sample in {@link #buffer()}, or -1 if the ring is full
     */
    public int reserve(int size) {
        long total = (size + HEADER_SIZE + 7) & ~7L;
        if (total > capacity) {
            throw new IllegalArgumentException("sample of " + size + " bytes does not fit the ring");
        }
        long consumerPos = (long) LONG.getAcquire(cons, 0);
        long producerPos = (long) LONG.getAcquire(data, 0);
        if (capacity - (producerPos - consumerPos) < total) {
            return -1;
        }
        int headerAt = dataStart + (int) (producerPos & mask);
        INT.set(data, headerAt, size | BUSY_BIT);
        INT.set(data, headerAt + 4, 0);
        LONG.setRelease(data, 0, producerPos + total);
        return headerAt + HEADER_SIZE;
    }

    /** Commits a sample returned by {@link #reserve}: the kernel may consume it from now on. */
    public void submit(int sampleOffset) {
        int headerAt = sampleOffset - HEADER_SIZE;
        int len = (int) INT.get(data, headerAt) & ~BUSY_BIT;
        INT.getAndSet(data, headerAt, len);
    }

    /** Bytes reserved and not yet drained by BPF. */
    public long pendingBytes() {
        return (long) LONG.getAcquire(data, 0) - (long) LONG.getAcquire(cons, 0);
    }

    @Override
    public void close() {
        producerArea.close();
        consumerPage.close();
    }
}
