package io.jthulhu.node.bpf.layout;

import java.nio.ByteBuffer;

/**
 * Flyweight over one struct jt_dispatch in a little-endian buffer (absolute access at a base
 * offset). {@link #write} fills every byte of the record, padding included, so a reused ring slot
 * never leaks old contents.
 */
public final class DispatchRecord {
    private ByteBuffer buffer;
    private int base;

    /** Points this flyweight at the record starting at {@code base}; returns this. */
    public DispatchRecord wrap(ByteBuffer buffer, int base) {
        RecordBuffers.checkWrap(buffer, base, DispatchLayout.SIZE, "jt_dispatch");
        this.buffer = buffer;
        this.base = base;
        return this;
    }

    /** Writes the whole record. */
    public void write(int pid, int cpu, long sliceNs, long vtime, long seq, int flags, int schedClass) {
        buffer.putInt(base + DispatchLayout.PID, pid);
        buffer.putInt(base + DispatchLayout.CPU, cpu);
        buffer.putLong(base + DispatchLayout.SLICE_NS, sliceNs);
        buffer.putLong(base + DispatchLayout.VTIME, vtime);
        buffer.putLong(base + DispatchLayout.SEQ, seq);
        buffer.putInt(base + DispatchLayout.FLAGS, flags);
        buffer.putInt(base + DispatchLayout.SCHED_CLASS, schedClass);
    }

    public int pid() {
        return buffer.getInt(base + DispatchLayout.PID);
    }

    public int cpu() {
        return buffer.getInt(base + DispatchLayout.CPU);
    }

    public long sliceNs() {
        return buffer.getLong(base + DispatchLayout.SLICE_NS);
    }

    public long vtime() {
        return buffer.getLong(base + DispatchLayout.VTIME);
    }

    public long seq() {
        return buffer.getLong(base + DispatchLayout.SEQ);
    }

    /** Abi.DISPATCH_* bits. */
    public int flags() {
        return buffer.getInt(base + DispatchLayout.FLAGS);
    }

    /** Abi.CLASS_* the decision was made for. */
    public int schedClass() {
        return buffer.getInt(base + DispatchLayout.SCHED_CLASS);
    }
}
