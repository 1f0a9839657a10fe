package io.jthulhu.node.sched;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RunQueueTest {
    /** Random pushes, stale marks and pops against a sorted reference list. */
    @Test
    void popsLiveSlotsInDeadlineThenArrivalOrderUnderRandomOperations() {
        Random random = new Random(42);
        RunQueue q = new RunQueue(512);
        List<long[]> reference = new ArrayList<>(); // live entries: {slot, deadline, arrival}
        long arrivals = 0;
        for (int step = 0; step < 200_000; step++) {
            int op = random.nextInt(10);
            if (op < 5 && !q.isFull()) {
                int slot = q.allocate();
                q.pid[slot] = 1 + step;
                q.deadline[slot] = random.nextInt(64); // many ties: arrival order must decide
                q.push(slot);
                reference.add(new long[] {slot, q.deadline[slot], arrivals++});
            } else if (op < 6 && !reference.isEmpty()) {
                long[] e = reference.remove(random.nextInt(reference.size()));
                q.markStale((int) e[0]);
            } else if (q.live() > 0) {
                reference.sort(Comparator.<long[]>comparingLong(e -> e[1]).thenComparingLong(e -> e[2]));
                long[] expected = reference.remove(0);
                int slot = q.pop();
                assertThat(slot).as("step %d", step).isEqualTo((int) expected[0]);
                q.release(slot);
            }
            assertThat(q.live()).isEqualTo(reference.size());
        }
        while (q.live() > 0) {
            q.release(q.pop());
        }
        assertThat(q.pop()).as("only stale slots left").isEqualTo(-1);
        assertThat(q.free()).as("stale slots were released").isEqualTo(512);
    }
}
