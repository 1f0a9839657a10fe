package io.jthulhu.node.bpf;

import io.jthulhu.node.sys.Libc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads a BPF_MAP_TYPE_RINGBUF straight from its memory mapping, without a JNA callback per
 * record. Layout (kernel/bpf/ringbuf.c): page 0 holds the consumer position (ours to write),
 * page 1 the producer position, then the data area mapped twice so a record that wraps is still
 * contiguous. Each record has an 8-byte header whose first u32 is the length with BUSY (not yet
 * committed) and DISCARD bits; records are 8-byte aligned.
 */
public final class RingBufferConsumer implements AutoCloseable {
    static final int HEADER_SIZE = 8;
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Receives each committed record; the buffer is only valid during the call. */
    public interface RecordSink {
        /** @return false to stop consuming (the record is consumed either way). */
        boolean accept(ByteBuffer buffer, int offset, int length);
    }

    private final MappedRegion consumerPage;
    private final MappedRegion producerArea;
    private final ByteBuffer cons;
    private final ByteBuffer data;
    private final int dataStart;
    private final long mask;

    RingBufferConsumer(int mapFd, int sizeBytes) {
        if (Integer.bitCount(sizeBytes) != 1) {
            throw new IllegalArgumentException("ring buffer size must be a power of two: " + sizeBytes);
        }
        int page = Libc.getpagesize();
        this.consumerPage = MappedRegion.map(mapFd, 0, page, Libc.PROT_READ | Libc.PROT_WRITE, "ringbuf consumer page");
        this.producerArea = MappedRegion.map(mapFd, page, page + 2L * sizeBytes, Libc.PROT_READ, "ringbuf data");
        this.cons = consumerPage.buffer;
        this.data = producerArea.buffer;
        this.dataStart = page;
        this.mask = sizeBytes - 1L;
    }

    /** Bytes written by the producer and not consumed yet. */
    public long pendingBytes() {
        return (long) LONG.getAcquire(data, 0) - (long) LONG.getAcquire(cons, 0);
    }

    /**
     * Hands committed records to the sink, oldest first, until the ring is empty, a record is
     * still being written, {@code maxRecords} were delivered or the sink says stop.
     *
     * @return the number of records delivered
     */
    public int consume(RecordSink sink, int maxRecords) {
        long consumerPos = (long) LONG.getAcquire(cons, 0);
        long producerPos = (long) LONG.getAcquire(data, 0);
        int delivered = 0;
        while (consumerPos < producerPos && delivered < maxRecords) {
            int headerAt = dataStart + (int) (consumerPos & mask);
            int len = (int) INT.getAcquire(data, headerAt);
            if ((len & BUSY_BIT) != 0) {
                break;
            }
            int recordLength = len & ~(BUSY_BIT | DISCARD_BIT);
            consumerPos += (recordLength + HEADER_SIZE + 7) & ~7L;
            boolean more = true;
            if ((len & DISCARD_BIT) == 0) {
                delivered++;
                more = sink.accept(data, headerAt + HEADER_SIZE, recordLength);
            }
            // Publishing after each record frees space for the producer as early as possible.
            LONG.setRelease(cons, 0, consumerPos);
            if (!more) {
                break;
            }
            if (consumerPos == producerPos) {
                producerPos = (long) LONG.getAcquire(data, 0);
            }
        }
        return delivered;
    }

    @Override
    public void close() {
        producerArea.close();
        consumerPage.close();
    }
}
