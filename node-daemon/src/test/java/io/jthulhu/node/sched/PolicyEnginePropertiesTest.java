package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever BPF sends, the engine answers with well-formed decisions, in deadline order. */
class PolicyEnginePropertiesTest {
    private static final SchedulerConfig CONFIG = SchedulerConfig.defaults();
    private static final int TRIES = 300;
    private static final long SEED = 0x6A74_6875_6C68_7501L;
    /** Spreads the case seeds: consecutive seeds give correlated first draws from java.util.Random. */
    private static final long SEED_STRIDE = 0x9E37_79B9_7F4A_7C15L;
    /** Boundary values that uniform draws over the full range would almost never hit. */
    private static final int[] INT_EDGES = {0, 1, -1, 2, -2, Integer.MIN_VALUE, Integer.MAX_VALUE,
            Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1};
    private static final long[] LONG_EDGES = {0, 1, -1, 2, -2, Integer.MIN_VALUE, Integer.MAX_VALUE,
            Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1};

    /** One generated batch of records: every field BPF controls, including garbage. */
    private record Records(List<Integer> pids, int weight, int prevCpu, int nrCpusAllowed, int flags, long execRuntime,
                           long vtimeStep, int policyClass, int policyWeight, int policySliceUs, int policyFlags,
                           int nrCpus) {
        static Records generate(Random random) {
            // The empty and the longest batch one time in eight, as they hide off-by-one errors.
            int size = random.nextInt(8) == 0 ? (random.nextBoolean() ? 0 : 40) : random.nextInt(41);
            List<Integer> pids = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                pids.add(-3 + random.nextInt(34));
            }
            return new Records(pids, anyInt(random), anyInt(random), anyInt(random), anyInt(random),
                    anyLong(random), anyLong(random), anyInt(random), anyInt(random), anyInt(random),
                    anyInt(random), 1 + random.nextInt(8));
        }
    }

    @Test
    void arbitraryRecordsYieldBoundedDecisionsInDeadlineOrder() {
        for (int i = 0; i < TRIES; i++) {
            long caseSeed = SEED + i * SEED_STRIDE;
            Records records = Records.generate(new Random(caseSeed));
            try {
                checkBoundedDecisionsInDeadlineOrder(records);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("case %d of %d (seed 0x%x) failed: %s%n%s"
                        .formatted(i, TRIES, caseSeed, records, e.getMessage()), e);
            }
        }
    }

    private static void checkBoundedDecisionsInDeadlineOrder(Records r) {
        EngineHarness h = new EngineHarness(CONFIG, CpuTopology.uniform(r.nrCpus()));
        for (int cpu = 0; cpu < r.nrCpus(); cpu += 2) {
            h.idle[cpu] = true;
        }
        Map<Integer, Long> latestSeq = new HashMap<>();
        long vtime = 0;
        for (int i = 0; i < r.pids().size(); i++) {
            int pid = r.pids().get(i);
            vtime += r.vtimeStep() >>> 20;
            h.task(pid).weight(r.weight() ^ i).prevCpu(r.prevCpu() + i).nrCpusAllowed(r.nrCpusAllowed())
                    .flags(r.flags() ^ i).execRuntime(r.execRuntime() + i).vtime(vtime).nvcsw(i).enqueuedAt(i * 1000L)
                    .policy(r.policyClass() ^ i, r.policyWeight(), r.policySliceUs(), r.policyFlags() ^ i);
            assertThat(h.submit()).isTrue();
            if (pid > 0) {
                latestSeq.put(pid, h.lastSeq());
            }
        }
        assertThat(h.engine.pending()).isEqualTo(latestSeq.size());
        long lastDeadline = Long.MIN_VALUE;
        while (h.next()) {
            assertThat(latestSeq.remove(h.decision.pid())).as("one decision per pid, newest seq")
                    .isEqualTo(h.decision.seq());
            assertThat(h.decision.cpu()).isBetween(Abi.CPU_ANY, r.nrCpus() - 1);
            if (h.decision.cpu() >= 0 && r.nrCpusAllowed() != 1) {
                assertThat(h.idle[h.decision.cpu()]).as("a CPU is chosen only if idle").isTrue();
            }
            assertThat(h.decision.sliceNs()).isBetween(CONFIG.minSliceNs(), CONFIG.maxSliceNs());
            assertThat(h.decision.flags() & ~(Abi.DISPATCH_PREEMPT | Abi.DISPATCH_PREEMPT_CLASS)).isZero();
            assertThat(h.decision.schedClass()).isBetween(Abi.CLASS_NORMAL, Abi.CLASS_IDLE);
            assertThat(h.decision.vtime()).isNotNegative().isGreaterThanOrEqualTo(lastDeadline);
            lastDeadline = h.decision.vtime();
        }
        assertThat(latestSeq).isEmpty();
    }

    /** A quarter edge values, a quarter small values, the rest uniform over all ints. */
    private static int anyInt(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> INT_EDGES[random.nextInt(INT_EDGES.length)];
            case 1 -> random.nextInt(-1000, 1001);
            default -> random.nextInt();
        };
    }

    /** As {@link #anyInt}, over all longs. */
    private static long anyLong(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> LONG_EDGES[random.nextInt(LONG_EDGES.length)];
            case 1 -> random.nextLong(-1000, 1001);
            default -> random.nextLong();
        };
    }
}
