package io.jthulhu.node.agent;

import io.jthulhu.node.bpf.InMemoryRings;
import io.jthulhu.node.bpf.layout.SharedLayout;
import io.jthulhu.node.sched.CpuTopology;
import io.jthulhu.node.sched.SchedulerConfig;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulerLoopWarmUpTest {

    /** Warm-up runs a loop of its own: the rings and shared area BPF reads stay untouched. */
    @Test
    void warmUpLeavesTheRealRingsAndSharedAreaAlone() {
        InMemoryRings real = new InMemoryRings(1 << 16, 1 << 16);
        ByteBuffer shared = ByteBuffer.allocateDirect(SharedLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        SchedulerLoop loop = new SchedulerLoop(shared, real.queued(), real.dispatched(), SchedulerConfig.defaults(),
                CpuTopology.uniform(4));

        loop.warmUp();

        for (int i = 0; i < SharedLayout.SIZE; i++) {
            assertThat(shared.get(i)).as("shared byte %d", i).isZero();
        }
        assertThat(real.dispatched().pendingBytes()).isZero();
        assertThat(real.queued().pendingBytes()).isZero();
        assertThat(real.drainDispatched()).isZero();
        assertThat(loop.counter(SchedulerLoop.PASSES)).isZero();
        assertThat(loop.counter(SchedulerLoop.RECORDS)).isZero();
    }
}
