package io.jthulhu.node.bpf;

import io.jthulhu.node.sys.Libc;

import java.nio.ByteBuffer;

import static io.jthulhu.node.bpf.RingMapping.BUSY_BIT;
import static io.jthulhu.node.bpf.RingMapping.HEADER_SIZE;
import static io.jthulhu.node.bpf.RingMapping.INT;
import static io.jthulhu.node.bpf.RingMapping.LONG;

/**
 * Writes a BPF_MAP_TYPE_USER_RINGBUF through its memory mapping ({@link RingMapping}); BPF drains
 * it with bpf_user_ringbuf_drain(). The consumer page is the kernel's (read-only for us). A sample
 * is reserved by writing its header with the BUSY bit and advancing the producer position, and
 * committed by clearing BUSY. Single producer: only the scheduler thread may call {@link #reserve}.
 */
public final class UserRingBufferProducer implements AutoCloseable {
    private final RingMapping ring;

    UserRingBufferProducer(int mapFd, int sizeBytes) {
        this(new RingMapping(mapFd, sizeBytes, Libc.PROT_READ, Libc.PROT_READ | Libc.PROT_WRITE, "user ringbuf"));
    }

    UserRingBufferProducer(RingMapping ring) {
        this.ring = ring;
    }

    /** The buffer that {@link #reserve} offsets point into. */
    public ByteBuffer buffer() {
        return ring.data;
    }

    /**
     * Reserves {@code size} bytes for one sample.
     *
     * @return the absolute offset of the sample in {@link #buffer()}, or -1 if the ring is full
     */
    public int reserve(int size) {
        long total = RingMapping.recordSpan(size);
        if (total > ring.capacity) {
            throw new IllegalArgumentException("sample of " + size + " bytes does not fit the ring");
        }
        long producerPos = ring.producerPos();
        if (ring.capacity - (producerPos - ring.consumerPos()) < total) {
            return -1;
        }
        int headerAt = ring.headerAt(producerPos);
        INT.set(ring.data, headerAt, size | BUSY_BIT);
        INT.set(ring.data, headerAt + 4, 0);
        LONG.setRelease(ring.data, 0, producerPos + total);
        return headerAt + HEADER_SIZE;
    }

    /** Commits a sample returned by {@link #reserve}: the kernel may consume it from now on. */
    public void submit(int sampleOffset) {
        int headerAt = sampleOffset - HEADER_SIZE;
        int len = (int) INT.get(ring.data, headerAt) & ~BUSY_BIT;
        INT.getAndSet(ring.data, headerAt, len);
    }

    /** Bytes reserved and not yet drained by BPF. */
    public long pendingBytes() {
        return ring.pendingBytes();
    }

    @Override
    public void close() {
        ring.close();
    }
}
