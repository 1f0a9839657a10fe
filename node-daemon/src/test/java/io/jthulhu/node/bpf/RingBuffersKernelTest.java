package io.jthulhu.node.bpf;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java ring-buffer producer and consumer against the host kernel's own implementation:
 * samples written through {@link UserRingBufferProducer} are drained by a BPF program
 * (bpf_user_ringbuf_drain) that echoes them into a BPF ring buffer, read back through
 * {@link RingBufferConsumer}. Runs many rounds so positions wrap around the 4 KiB rings.
 */
class RingBuffersKernelTest {
    private static final int SAMPLE = 40;

    private BpfObject object;
    private UserRingBufferProducer producer;
    private RingBufferConsumer consumer;
    private int echoProgram;

    @BeforeEach
    void load() throws URISyntaxException {
        Path file = Path.of(getClass().getResource("/ring_echo.bpf.o").toURI());
        object = BpfObject.open(file);
        object.load("ring_echo test object");
        producer = new UserRingBufferProducer(BpfObject.fd(object.map("input")), BpfObject.maxEntries(object.map("input")));
        consumer = new RingBufferConsumer(BpfObject.fd(object.map("output")), BpfObject.maxEntries(object.map("output")));
        echoProgram = object.programFd("echo");
    }

    @AfterEach
    void close() {
        producer.close();
        consumer.close();
        object.close();
    }

    @Test
    void samplesSurviveTheRoundTripInOrderAcrossWraparound() {
        long next = 0;
        List<Long> received = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            int batch = 1 + round % 50; // 48 bytes per sample: up to 2400 of 4096 bytes
            for (int i = 0; i < batch; i++) {
                int at = producer.reserve(SAMPLE);
                assertThat(at).as("reserve in round %d", round).isNotNegative();
                ByteBuffer b = producer.buffer();
                b.putLong(at, next);
                b.putLong(at + 8, ~next);
                for (int k = 16; k < SAMPLE; k++) {
                    b.put(at + k, (byte) (next + k));
                }
                producer.submit(at);
                next++;
            }
            int drained = BpfObject.runSyscallProgram(echoProgram);
            assertThat(drained).as("samples drained by BPF in round %d", round).isEqualTo(batch);
            assertThat(producer.pendingBytes()).isZero();
            int got = consumer.consume((buf, off, len) -> {
                assertThat(len).isEqualTo(SAMPLE);
                long v = buf.getLong(off);
                assertThat(buf.getLong(off + 8)).isEqualTo(~v);
                for (int k = 16; k < SAMPLE; k++) {
                    assertThat(buf.get(off + k)).isEqualTo((byte) (v + k));
                }
                received.add(v);
                return true;
            }, Integer.MAX_VALUE);
            assertThat(got).isEqualTo(batch);
            assertThat(consumer.pendingBytes()).isZero();
        }
        assertThat(received).hasSize((int) next);
        for (int i = 0; i < received.size(); i++) {
            assertThat(received.get(i)).isEqualTo(i);
        }
    }

    @Test
    void producerReportsFullRingAndRecoversAfterDrain() {
        int[] offsets = new int[4096 / 48 + 1];
        int reserved = 0;
        for (int at; (at = producer.reserve(SAMPLE)) >= 0; ) {
            // left uncommitted (BUSY): BPF must not consume them until submit
            producer.buffer().putLong(at, reserved);
            offsets[reserved++] = at;
        }
        assertThat(reserved).isEqualTo(4096 / 48);
        assertThat(BpfObject.runSyscallProgram(echoProgram)).as("BUSY samples are not drained").isZero();
        for (int i = 0; i < reserved; i++) {
            producer.submit(offsets[i]);
        }
        assertThat(BpfObject.runSyscallProgram(echoProgram)).isEqualTo(reserved);
        assertThat(producer.reserve(SAMPLE)).as("room again after the drain").isNotNegative();
        long[] sum = {0};
        assertThat(consumer.consume((b, o, l) -> {
            sum[0] += b.getLong(o);
            return true;
        }, Integer.MAX_VALUE)).isEqualTo(reserved);
        assertThat(sum[0]).isEqualTo((long) reserved * (reserved - 1) / 2);
    }

    @Test
    void consumerStopsWhenTheSinkSaysSoAndResumesLater() {
        for (int i = 0; i < 10; i++) {
            int at = producer.reserve(SAMPLE);
            producer.buffer().putLong(at, i);
            producer.submit(at);
        }
        assertThat(BpfObject.runSyscallProgram(echoProgram)).isEqualTo(10);
        List<Long> first = new ArrayList<>();
        assertThat(consumer.consume((b, o, l) -> first.add(b.getLong(o)) && first.size() < 3, 100)).isEqualTo(3);
        assertThat(first).containsExactly(0L, 1L, 2L);
        List<Long> rest = new ArrayList<>();
        assertThat(consumer.consume((b, o, l) -> rest.add(b.getLong(o)), 4)).isEqualTo(4);
        assertThat(consumer.consume((b, o, l) -> rest.add(b.getLong(o)), 100)).isEqualTo(3);
        assertThat(rest).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }
}
