package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever BPF sends, the engine answers with well-formed decisions, in deadline order. */
class PolicyEnginePropertiesTest {
    private static final SchedulerConfig CONFIG = SchedulerConfig.defaults();

    @Property(tries = 300)
    void arbitraryRecordsYieldBoundedDecisionsInDeadlineOrder(
            @ForAll @Size(max = 40) List<@IntRange(min = -3, max = 30) Integer> pids,
            @ForAll int weight, @ForAll int prevCpu, @ForAll int nrCpusAllowed, @ForAll int flags,
            @ForAll long execRuntime, @ForAll long vtimeStep, @ForAll int policyClass, @ForAll int policyWeight,
            @ForAll int policySliceUs, @ForAll int policyFlags, @ForAll @IntRange(min = 1, max = 8) int nrCpus) {
        EngineHarness h = new EngineHarness(CONFIG, CpuTopology.uniform(nrCpus));
        for (int cpu = 0; cpu < nrCpus; cpu += 2) {
            h.idle[cpu] = true;
        }
        Map<Integer, Long> latestSeq = new HashMap<>();
        long vtime = 0;
        for (int i = 0; i < pids.size(); i++) {
            int pid = pids.get(i);
            vtime += vtimeStep >>> 20;
            h.task(pid).weight(weight ^ i).prevCpu(prevCpu + i).nrCpusAllowed(nrCpusAllowed).flags(flags ^ i)
                    .execRuntime(execRuntime + i).vtime(vtime).nvcsw(i).enqueuedAt(i * 1000L)
                    .policy(policyClass ^ i, policyWeight, policySliceUs, policyFlags ^ i);
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
            assertThat(h.decision.cpu()).isBetween(Abi.CPU_ANY, nrCpus - 1);
            if (h.decision.cpu() >= 0) {
                assertThat(h.idle[h.decision.cpu()]).isTrue();
            }
            assertThat(h.decision.sliceNs()).isBetween(CONFIG.minSliceNs(), CONFIG.maxSliceNs());
            assertThat(h.decision.flags() & ~Abi.DISPATCH_PREEMPT).isZero();
            assertThat(h.decision.vtime()).isNotNegative().isGreaterThanOrEqualTo(lastDeadline);
            lastDeadline = h.decision.vtime();
        }
        assertThat(latestSeq).isEmpty();
    }
}
