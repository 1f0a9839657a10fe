package io.jthulhu.node.bpf.layout;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordFlyweightTest {
    private static final int BASE = 24;

    @Test
    void queuedTaskFieldsLiveAtTheirOffsetsInLittleEndian() {
        ByteBuffer buf = ByteBuffer.allocateDirect(256).order(ByteOrder.LITTLE_ENDIAN);
        QueuedTaskRecord r = new QueuedTaskRecord().wrap(buf, BASE);
        r.pid(0x01020304).tgid(7).cgroupId(0x1122334455667788L).prevCpu(-1).nrCpusAllowed(3).weight(100)
                .flags(Abi.TASK_WAKEUP).enqFlags(9).execRuntime(10).nvcsw(11).vtime(-2).seq(13).enqueuedAt(14)
                .policy(Abi.CLASS_BATCH, 500, 2000, Abi.POLICY_PRESENT);

        assertThat(buf.get(BASE)).isEqualTo((byte) 0x04); // least significant byte first
        assertThat(buf.getLong(BASE + 8)).isEqualTo(0x1122334455667788L);
        assertThat(buf.getInt(BASE + 80)).isEqualTo(Abi.CLASS_BATCH);
        assertThat(buf.getInt(BASE + 92)).isEqualTo(Abi.POLICY_PRESENT);

        QueuedTaskRecord read = new QueuedTaskRecord().wrap(buf, BASE);
        assertThat(read.pid()).isEqualTo(0x01020304);
        assertThat(read.tgid()).isEqualTo(7);
        assertThat(read.cgroupId()).isEqualTo(0x1122334455667788L);
        assertThat(read.prevCpu()).isEqualTo(-1);
        assertThat(read.nrCpusAllowed()).isEqualTo(3);
        assertThat(read.weight()).isEqualTo(100);
        assertThat(read.flags()).isEqualTo(Abi.TASK_WAKEUP);
        assertThat(read.enqFlags()).isEqualTo(9);
        assertThat(read.execRuntime()).isEqualTo(10);
        assertThat(read.nvcsw()).isEqualTo(11);
        assertThat(read.vtime()).isEqualTo(-2);
        assertThat(read.seq()).isEqualTo(13);
        assertThat(read.enqueuedAt()).isEqualTo(14);
        assertThat(read.policyClass()).isEqualTo(Abi.CLASS_BATCH);
        assertThat(read.policyWeight()).isEqualTo(500);
        assertThat(read.policySliceUs()).isEqualTo(2000);
        assertThat(read.policyFlags()).isEqualTo(Abi.POLICY_PRESENT);
        assertThat(buf.position()).as("absolute access only").isZero();
    }

    @Test
    void dispatchWriteFillsEveryByte() {
        ByteBuffer buf = ByteBuffer.allocate(BASE + DispatchLayout.SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, (byte) 0xAA);
        }
        DispatchRecord d = new DispatchRecord().wrap(buf, BASE);
        d.write(42, Abi.CPU_ANY, 5_000_000, 123_456_789L, 77, Abi.DISPATCH_PREEMPT, Abi.CLASS_BATCH);

        assertThat(buf.getInt(BASE)).isEqualTo(42);
        assertThat(buf.getInt(BASE + 4)).isEqualTo(-1);
        assertThat(buf.getLong(BASE + 8)).isEqualTo(5_000_000);
        assertThat(buf.getLong(BASE + 16)).isEqualTo(123_456_789L);
        assertThat(buf.getLong(BASE + 24)).isEqualTo(77);
        assertThat(buf.getInt(BASE + 32)).isEqualTo(Abi.DISPATCH_PREEMPT);
        assertThat(buf.getInt(BASE + 36)).as("sched_class").isEqualTo(Abi.CLASS_BATCH);
        assertThat(buf.get(BASE - 1)).as("byte before the record untouched").isEqualTo((byte) 0xAA);
        assertThat(buf.get(BASE + DispatchLayout.SIZE)).as("byte after the record untouched").isEqualTo((byte) 0xAA);
        assertThat(d.pid()).isEqualTo(42);
        assertThat(d.cpu()).isEqualTo(Abi.CPU_ANY);
        assertThat(d.sliceNs()).isEqualTo(5_000_000);
        assertThat(d.vtime()).isEqualTo(123_456_789L);
        assertThat(d.seq()).isEqualTo(77);
        assertThat(d.flags()).isEqualTo(Abi.DISPATCH_PREEMPT);
        assertThat(d.schedClass()).isEqualTo(Abi.CLASS_BATCH);
    }

    @Test
    void wrapRejectsBigEndianAndOutOfRangeRecords() {
        ByteBuffer bigEndian = ByteBuffer.allocate(128);
        assertThatThrownBy(() -> new QueuedTaskRecord().wrap(bigEndian, 0))
                .hasMessage("jt_queued_task: buffer must be LITTLE_ENDIAN");
        ByteBuffer small = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> new QueuedTaskRecord().wrap(small, 8))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("jt_queued_task: 96 bytes at offset 8 do not fit a buffer of capacity 100");
        assertThatThrownBy(() -> new DispatchRecord().wrap(small, -1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(new DispatchRecord().wrap(small, 60)).isNotNull();
    }
}
