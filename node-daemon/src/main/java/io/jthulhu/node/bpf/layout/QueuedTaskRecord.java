package io.jthulhu.node.bpf.layout;

import java.nio.ByteBuffer;

/**
 * Flyweight over one struct jt_queued_task in a little-endian buffer (absolute access at a base
 * offset; the buffer's position and limit are not used). Reusable: {@link #wrap} re-points it and
 * allocates nothing. Setters exist so tests and benchmarks can play the BPF side.
 */
public final class QueuedTaskRecord {
    private ByteBuffer buffer;
    private int base;

    /** Points this flyweight at the record starting at {@code base}; returns this. */
    public QueuedTaskRecord wrap(ByteBuffer buffer, int base) {
        RecordBuffers.checkWrap(buffer, base, QueuedTaskLayout.SIZE, "jt_queued_task");
        this.buffer = buffer;
        this.base = base;
        return this;
    }

    public int pid() {
        return buffer.getInt(base + QueuedTaskLayout.PID);
    }

    public int tgid() {
        return buffer.getInt(base + QueuedTaskLayout.TGID);
    }

    public long cgroupId() {
        return buffer.getLong(base + QueuedTaskLayout.CGROUP_ID);
    }

    public int prevCpu() {
        return buffer.getInt(base + QueuedTaskLayout.PREV_CPU);
    }

    /** u32 as read; values above Integer.MAX_VALUE come out negative. */
    public int nrCpusAllowed() {
        return buffer.getInt(base + QueuedTaskLayout.NR_CPUS_ALLOWED);
    }

    /** p->scx.weight (100 = nice 0); u32 as read. */
    public int weight() {
        return buffer.getInt(base + QueuedTaskLayout.WEIGHT);
    }

    /** Abi.TASK_* bits. */
    public int flags() {
        return buffer.getInt(base + QueuedTaskLayout.FLAGS);
    }

    public long enqFlags() {
        return buffer.getLong(base + QueuedTaskLayout.ENQ_FLAGS);
    }

    public long execRuntime() {
        return buffer.getLong(base + QueuedTaskLayout.EXEC_RUNTIME);
    }

    public long nvcsw() {
        return buffer.getLong(base + QueuedTaskLayout.NVCSW);
    }

    public long vtime() {
        return buffer.getLong(base + QueuedTaskLayout.VTIME);
    }

    public long seq() {
        return buffer.getLong(base + QueuedTaskLayout.SEQ);
    }

    public long enqueuedAt() {
        return buffer.getLong(base + QueuedTaskLayout.ENQUEUED_AT);
    }

    /** Abi.CLASS_*; u32 as read. */
    public int policyClass() {
        return buffer.getInt(base + QueuedTaskLayout.POLICY_SCHED_CLASS);
    }

    public int policyWeight() {
        return buffer.getInt(base + QueuedTaskLayout.POLICY_WEIGHT);
    }

    public int policySliceUs() {
        return buffer.getInt(base + QueuedTaskLayout.POLICY_SLICE_US);
    }

    /** Abi.POLICY_* bits. */
    public int policyFlags() {
        return buffer.getInt(base + QueuedTaskLayout.POLICY_FLAGS);
    }

    public QueuedTaskRecord pid(int v) {
        buffer.putInt(base + QueuedTaskLayout.PID, v);
        return this;
    }

    public QueuedTaskRecord tgid(int v) {
        buffer.putInt(base + QueuedTaskLayout.TGID, v);
        return this;
    }

    public QueuedTaskRecord cgroupId(long v) {
        buffer.putLong(base + QueuedTaskLayout.CGROUP_ID, v);
        return this;
    }

    public QueuedTaskRecord prevCpu(int v) {
        buffer.putInt(base + QueuedTaskLayout.PREV_CPU, v);
        return this;
    }

    public QueuedTaskRecord nrCpusAllowed(int v) {
        buffer.putInt(base + QueuedTaskLayout.NR_CPUS_ALLOWED, v);
        return this;
    }

    public QueuedTaskRecord weight(int v) {
        buffer.putInt(base + QueuedTaskLayout.WEIGHT, v);
        return this;
    }

    public QueuedTaskRecord flags(int v) {
        buffer.putInt(base + QueuedTaskLayout.FLAGS, v);
        return this;
    }

    public QueuedTaskRecord enqFlags(long v) {
        buffer.putLong(base + QueuedTaskLayout.ENQ_FLAGS, v);
        return this;
    }

    public QueuedTaskRecord execRuntime(long v) {
        buffer.putLong(base + QueuedTaskLayout.EXEC_RUNTIME, v);
        return this;
    }

    public QueuedTaskRecord nvcsw(long v) {
        buffer.putLong(base + QueuedTaskLayout.NVCSW, v);
        return this;
    }

    public QueuedTaskRecord vtime(long v) {
        buffer.putLong(base + QueuedTaskLayout.VTIME, v);
        return this;
    }

    public QueuedTaskRecord seq(long v) {
        buffer.putLong(base + QueuedTaskLayout.SEQ, v);
        return this;
    }

    public QueuedTaskRecord enqueuedAt(long v) {
        buffer.putLong(base + QueuedTaskLayout.ENQUEUED_AT, v);
        return this;
    }

    public QueuedTaskRecord policy(int schedClass, int weight, int sliceUs, int flags) {
        buffer.putInt(base + QueuedTaskLayout.POLICY_SCHED_CLASS, schedClass);
        buffer.putInt(base + QueuedTaskLayout.POLICY_WEIGHT, weight);
        buffer.putInt(base + QueuedTaskLayout.POLICY_SLICE_US, sliceUs);
        buffer.putInt(base + QueuedTaskLayout.POLICY_FLAGS, flags);
        return this;
    }
}
