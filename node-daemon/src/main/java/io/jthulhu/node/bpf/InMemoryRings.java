package io.jthulhu.node.bpf;

import java.nio.ByteBuffer;

import static io.jthulhu.node.bpf.RingMapping.LONG;

/**
 * A queued ring and a dispatch ring in process memory, laid out as BPF's, with this class playing
 * BPF's side of both. The scheduling loop runs through them before attach, so that its transport is
 * compiled before the kernel depends on it.
 */
public final class InMemoryRings {
    private final RingMapping queuedRing;
    private final RingMapping dispatchRing;
    private final RingBufferConsumer queued;
    /** BPF's side of the queued ring. */
    private final UserRingBufferProducer queuedWriter;
    private final UserRingBufferProducer dispatched;

    public InMemoryRings(int queuedBytes, int dispatchBytes) {
        this.queuedRing = new RingMapping(queuedBytes);
        this.dispatchRing = new RingMapping(dispatchBytes);
        this.queued = new RingBufferConsumer(queuedRing);
        this.queuedWriter = new UserRingBufferProducer(queuedRing);
        this.dispatched = new UserRingBufferProducer(dispatchRing);
    }

    /** The queued ring, for the loop to consume. */
    public RingBufferConsumer queued() {
        return queued;
    }

    /** The dispatch ring, for the loop to fill. */
    public UserRingBufferProducer dispatched() {
        return dispatched;
    }

    /** The buffer that {@link #reserveQueued} offsets point into. */
    public ByteBuffer queuedBuffer() {
        return queuedRing.data;
    }

    /**
     * BPF's bpf_ringbuf_reserve on the queued ring (both ring types share the record format).
     *
     * @return the absolute offset of the record in {@link #queuedBuffer()}, or -1 if the ring is full
     */
    public int reserveQueued(int length) {
        return queuedWriter.reserve(length);
    }

    /** BPF's bpf_ringbuf_submit of a record returned by {@link #reserveQueued}. */
    public void submitQueued(int recordOffset) {
        queuedWriter.submit(recordOffset);
    }

    /** BPF's bpf_user_ringbuf_drain: takes every sample submitted so far; returns how many bytes. */
    public long drainDispatched() {
        long producerPos = dispatchRing.producerPos();
        long drained = producerPos - dispatchRing.consumerPos();
        LONG.setRelease(dispatchRing.cons, 0, producerPos);
        return drained;
    }
}
