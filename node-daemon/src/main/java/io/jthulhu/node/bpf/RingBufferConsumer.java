package io.jthulhu.node.bpf;

import io.jthulhu.node.sys.Libc;

import java.nio.ByteBuffer;

import static io.jthulhu.node.bpf.RingMapping.BUSY_BIT;
import static io.jthulhu.node.bpf.RingMapping.DISCARD_BIT;
import static io.jthulhu.node.bpf.RingMapping.HEADER_SIZE;
import static io.jthulhu.node.bpf.RingMapping.INT;
import static io.jthulhu.node.bpf.RingMapping.LONG;

/**
 * Reads a BPF_MAP_TYPE_RINGBUF straight from its memory mapping ({@link RingMapping}), without a
 * JNA callback per record. The consumer page is ours to write; the rest is read-only.
 */
public final class RingBufferConsumer implements AutoCloseable {

    /** Receives each committed record; the buffer is only valid during the call. */
    public interface RecordSink {
        /** @return false to stop consuming (the record is consumed either way). */
        boolean accept(ByteBuffer buffer, int offset, int length);
    }

    private final RingMapping ring;

    public RingBufferConsumer(int mapFd, int sizeBytes) {
        this(new RingMapping(mapFd, sizeBytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.PROT_READ, "ringbuf"));
    }

    RingBufferConsumer(RingMapping ring) {
        this.ring = ring;
    }

    /** Bytes written by the producer and not consumed yet. */
    public long pendingBytes() {
        return ring.pendingBytes();
    }

    /**
     * Hands committed records to the sink, oldest first, until the ring is empty, a record is
     * still being written, {@code maxRecords} were delivered or the sink says stop.
     *
     * @return the number of records delivered
     */
    public int consume(RecordSink sink, int maxRecords) {
        ByteBuffer data = ring.data;
        long consumerPos = ring.consumerPos();
        long producerPos = ring.producerPos();
        int delivered = 0;
        while (consumerPos < producerPos && delivered < maxRecords) {
            int headerAt = ring.headerAt(consumerPos);
            int len = (int) INT.getAcquire(data, headerAt);
            if ((len & BUSY_BIT) != 0) {
                break;
            }
            int recordLength = len & ~(BUSY_BIT | DISCARD_BIT);
            consumerPos += RingMapping.recordSpan(recordLength);
            boolean more = true;
            if ((len & DISCARD_BIT) == 0) {
                delivered++;
                more = sink.accept(data, headerAt + HEADER_SIZE, recordLength);
            }
            // Publishing after each record frees space for the producer as early as possible.
            LONG.setRelease(ring.cons, 0, consumerPos);
            if (!more) {
                break;
            }
            if (consumerPos == producerPos) {
                producerPos = ring.producerPos();
            }
        }
        return delivered;
    }

    @Override
    public void close() {
        ring.close();
    }
}
