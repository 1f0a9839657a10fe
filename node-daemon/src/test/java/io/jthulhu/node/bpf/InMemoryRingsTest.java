package io.jthulhu.node.bpf;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryRingsTest {

    @Test
    void recordsReachTheConsumerInOrderAcrossTheRingsEnd() {
        InMemoryRings rings = new InMemoryRings(1024, 1024);
        List<Integer> seen = new ArrayList<>();
        int next = 0;
        for (int round = 0; round < 50; round++) {
            for (int k = 0; k < 5; k++) {
                int at = rings.reserveQueued(40);
                assertThat(at).isPositive();
                rings.queuedBuffer().putInt(at, next++);
                rings.submitQueued(at);
            }
            int taken = rings.queued().consume((ByteBuffer b, int offset, int length) -> {
                assertThat(length).isEqualTo(40);
                seen.add(b.getInt(offset));
                return true;
            }, 100);
            assertThat(taken).isEqualTo(5);
        }
        assertThat(seen).hasSize(250);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
        assertThat(rings.queued().pendingBytes()).isZero();
    }

    @Test
    void aReservedRecordIsNotDeliveredBeforeItIsSubmittedAndAFullRingRefuses() {
        InMemoryRings rings = new InMemoryRings(256, 256);
        int first = rings.reserveQueued(56);
        assertThat(rings.queued().consume((b, o, l) -> true, 10)).isZero();
        rings.submitQueued(first);
        assertThat(rings.queued().consume((b, o, l) -> true, 10)).isEqualTo(1);
        for (int k = 0; k < 4; k++) {
            assertThat(rings.reserveQueued(56)).isPositive();
        }
        assertThat(rings.reserveQueued(56)).isEqualTo(-1);
    }

    @Test
    void drainingTheDispatchRingMakesRoomForTheProducer() {
        InMemoryRings rings = new InMemoryRings(256, 256);
        UserRingBufferProducer out = rings.dispatched();
        for (int k = 0; k < 4; k++) {
            out.submit(out.reserve(56));
        }
        assertThat(out.reserve(56)).isEqualTo(-1);
        assertThat(rings.drainDispatched()).isEqualTo(256);
        assertThat(out.pendingBytes()).isZero();
        assertThat(out.reserve(56)).isPositive();
    }
}
