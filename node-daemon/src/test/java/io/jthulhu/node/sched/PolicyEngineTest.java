package io.jthulhu.node.sched;

import io.jthulhu.node.bpf.layout.Abi;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PolicyEngineTest {
    private static final long BASE = SchedulerConfig.defaults().baseSliceNs();
    private static final long MIN = SchedulerConfig.defaults().minSliceNs();
    private static final long MAX = SchedulerConfig.defaults().maxSliceNs();

    @Test
    void decisionEchoesPidAndSeqAndCarriesTheDeadline() {
        EngineHarness h = new EngineHarness(2);
        h.task(42).seq(9_000_000_001L).vtime(1_000_000).execRuntime(0);
        h.submit();
        assertThat(h.next()).isTrue();
        assertThat(h.decision.pid()).isEqualTo(42);
        assertThat(h.decision.seq()).isEqualTo(9_000_000_001L);
        assertThat(h.decision.vtime()).as("deadline = vtime + 0 runtime").isEqualTo(1_000_000);
        assertThat(h.decision.flags()).isZero();
        assertThat(h.next()).isFalse();
        assertThat(h.engine.vtimeNow()).isEqualTo(1_000_000);
    }

    @Test
    void interactiveTaskIsPickedBeforeACpuHogWithLowerVtime() {
        EngineHarness h = new EngineHarness(1);
        // Both have history: the hog never sleeps, the interactive task wakes every 2 ms.
        for (int round = 0; round < 8; round++) {
            long now = round * 2_000_000L;
            h.task(1).vtime(round * 1_000_000L).execRuntime((round + 1) * 2_000_000L).nvcsw(0).enqueuedAt(now);
            h.submit();
            h.task(2).vtime(round * 1_000_000L + 500_000).execRuntime(100_000).nvcsw(round)
                    .flags(Abi.TASK_WAKEUP).enqueuedAt(now);
            h.submit();
            assertThat(h.nextPid()).as("round %d", round).isEqualTo(2);
            assertThat(h.nextPid()).isEqualTo(1);
        }
    }

    /**
     * One CPU, non-preemptive: a hog always runnable, an interactive task that runs 200 µs then
     * sleeps 5 ms. Every time the interactive task wakes it must be the next task picked, so it
     * never waits longer than the rest of one hog slice.
     */
    @Test
    void interactiveTaskIsNextAfterEveryWakeupInASimulation() {
        EngineHarness h = new EngineHarness(1);
        long now = 0;
        long hogVtime = 0;
        long hogRuntime = BASE;
        long iVtime = 0;
        long iNvcsw = 0;
        long wakeAt = 0;
        boolean iQueued = false;
        long maxLatency = 0;
        int wakeups = 0;
        int pickedNext = 0;
        h.task(1).vtime(0).execRuntime(hogRuntime).enqueuedAt(0);
        h.submit();
        while (now < 2_000_000_000L) {
            boolean justWoke = false;
            if (!iQueued && now >= wakeAt) {
                h.task(2).vtime(iVtime).execRuntime(0).nvcsw(iNvcsw).flags(Abi.TASK_WAKEUP).enqueuedAt(wakeAt);
                h.submit();
                iQueued = true;
                justWoke = true;
                wakeups++;
            }
            int pid = h.nextPid();
            long slice = h.decision.sliceNs();
            if (justWoke && pid == 2) {
                pickedNext++;
            }
            if (pid == 2) {
                maxLatency = Math.max(maxLatency, now - wakeAt);
                now += 200_000;
                iVtime += 200_000;
                iNvcsw++;
                wakeAt = now + 5_000_000;
                iQueued = false;
            } else {
                now += slice;
                hogVtime += slice;
                hogRuntime += slice;
                h.task(1).vtime(hogVtime).execRuntime(hogRuntime).enqueuedAt(now);
                h.submit();
            }
        }
        assertThat(wakeups).isGreaterThan(200);
        assertThat(pickedNext).as("picked right after waking").isEqualTo(wakeups);
        assertThat(maxLatency).as("worst wakeup latency").isLessThanOrEqualTo(BASE);
    }

    @Test
    void doubleWeightGetsDoubleShare() {
        double ratio = simulatedShare(100, 200, 0, 0);
        assertThat(ratio).isCloseTo(2.0, within(0.05));
    }

    @Test
    void policyWeightOverridesTaskWeight() {
        // Tasks of weight 100 each; the policy says 100 vs 300, and BPF scales vtime by the policy weight.
        double ratio = simulatedShare(100, 100, 100, 300);
        assertThat(ratio).isCloseTo(3.0, within(0.1));
    }

    /** Two hogs on one CPU; returns CPU time of task 2 / CPU time of task 1. */
    private static double simulatedShare(int weight1, int weight2, int policyWeight1, int policyWeight2) {
        EngineHarness h = new EngineHarness(1);
        int[] weight = {0, weight1, weight2};
        int[] policyWeight = {0, policyWeight1, policyWeight2};
        long[] bpfVtime = new long[3];
        long[] runtime = new long[3];
        long now = 0;
        for (int pid = 1; pid <= 2; pid++) {
            enqueueHog(h, pid, weight[pid], policyWeight[pid], 0, 0, 0);
        }
        for (int i = 0; i < 20_000; i++) {
            int pid = h.nextPid();
            long slice = h.decision.sliceNs();
            now += slice;
            runtime[pid] += slice;
            int effective = policyWeight[pid] != 0 ? policyWeight[pid] : weight[pid];
            bpfVtime[pid] += slice * Abi.WEIGHT_DEFAULT / (effective == 0 ? Abi.WEIGHT_DEFAULT : effective);
            enqueueHog(h, pid, weight[pid], policyWeight[pid], bpfVtime[pid], runtime[pid], now);
        }
        return (double) runtime[2] / runtime[1];
    }

    private static void enqueueHog(EngineHarness h, int pid, int weight, int policyWeight, long vtime, long runtime, long now) {
        h.task(pid).weight(weight).vtime(vtime).execRuntime(runtime).enqueuedAt(now)
                .policy(Abi.CLASS_NORMAL, policyWeight, 0, policyWeight == 0 ? 0 : Abi.POLICY_PRESENT);
        h.submit();
    }

    @Test
    void sliceShrinksAsTheQueueGrows() {
        long previous = Long.MAX_VALUE;
        for (int waiting : new int[] {0, 1, 2, 4, 8, 16, 64, 1000}) {
            EngineHarness h = new EngineHarness(2);
            for (int pid = 1; pid <= waiting + 1; pid++) {
                h.task(pid);
                h.submit();
            }
            h.next();
            long expected = Math.max(BASE * 2 / (2 + waiting), MIN);
            assertThat(h.decision.sliceNs()).as("slice with %d waiting", waiting).isEqualTo(expected);
            assertThat(h.decision.sliceNs()).isLessThanOrEqualTo(previous);
            previous = h.decision.sliceNs();
        }
        assertThat(previous).as("floor").isEqualTo(MIN);
    }

    @Test
    void externalWaitingTasksShrinkTheSliceToo() {
        EngineHarness h = new EngineHarness(2);
        h.engine.setExternalWaiting(6);
        h.task(1);
        h.submit();
        h.next();
        assertThat(h.decision.sliceNs()).isEqualTo(BASE * 2 / 8);
    }

    @Test
    void cpuChoicePrefersPrevThenSameLlcThenAnyIdleThenShared() {
        // LLC domains {0,1} and {2,3}.
        EngineHarness h = new EngineHarness(SchedulerConfig.defaults(), new CpuTopology(new int[] {0, 0, 1, 1}));
        assertThat(cpuFor(h, 0, true, true, true, true)).as("prev idle").isEqualTo(0);
        assertThat(cpuFor(h, 0, false, true, true, true)).as("LLC sibling").isEqualTo(1);
        assertThat(cpuFor(h, 0, false, false, false, true)).as("other LLC").isEqualTo(3);
        assertThat(cpuFor(h, 2, true, false, false, false)).as("other LLC, from CPU 2").isEqualTo(0);
        assertThat(cpuFor(h, 0, false, false, false, false)).as("none idle").isEqualTo(Abi.CPU_ANY);
        assertThat(cpuFor(h, 99, false, false, true, false)).as("prev out of range").isEqualTo(2);
    }

    @Test
    void restrictedAffinityGoesSharedUnlessPrevIsIdle() {
        EngineHarness h = new EngineHarness(4);
        h.idle[1] = true;
        h.idle[2] = true;
        h.task(1).prevCpu(1).nrCpusAllowed(2);
        h.submit();
        h.task(2).prevCpu(0).nrCpusAllowed(2);
        h.submit();
        h.next();
        assertThat(h.decision.cpu()).isEqualTo(1);
        h.next();
        assertThat(h.decision.cpu()).as("CPU 2 is idle but may be outside the mask").isEqualTo(Abi.CPU_ANY);
    }

    @Test
    void aSingleCpuTaskWaitsOnItsCpuEvenWhenItIsBusy() {
        EngineHarness h = new EngineHarness(4);
        h.idle[2] = true;
        h.task(1).prevCpu(3).nrCpusAllowed(1);
        h.submit();
        h.next();
        assertThat(h.decision.cpu()).as("its only CPU, busy: it waits there by deadline").isEqualTo(3);
        h.task(2).prevCpu(-1).nrCpusAllowed(1);
        h.submit();
        h.next();
        assertThat(h.decision.cpu()).as("unknown CPU").isEqualTo(Abi.CPU_ANY);
    }

    @Test
    void anIdleCpuIsHandedOutOncePerRound() {
        EngineHarness h = new EngineHarness(2);
        h.idle[0] = true;
        h.task(1);
        h.submit();
        h.task(2);
        h.submit();
        h.next();
        assertThat(h.decision.cpu()).isEqualTo(0);
        h.next();
        assertThat(h.decision.cpu()).as("CPU 0 already claimed this round").isEqualTo(Abi.CPU_ANY);
        // A new batch of records starts a new round: CPU 0 counts as idle again if the view says so.
        h.task(3);
        h.submit();
        h.next();
        assertThat(h.decision.cpu()).isEqualTo(0);
    }

    private static int cpuFor(EngineHarness h, int prevCpu, boolean... idle) {
        System.arraycopy(idle, 0, h.idle, 0, idle.length);
        h.task(7).prevCpu(prevCpu);
        h.submit();
        h.next();
        return h.decision.cpu();
    }

    @Test
    void latencyCriticalPreemptsOnWakeupWithAShorterSliceAndEarlierDeadline() {
        EngineHarness h = new EngineHarness(1);
        h.task(1).vtime(1_000_000);
        h.submit();
        h.task(2).vtime(1_000_000).flags(Abi.TASK_WAKEUP).policy(Abi.CLASS_LATENCY_CRITICAL, 0, 0, Abi.POLICY_PRESENT);
        h.submit();
        assertThat(h.nextPid()).isEqualTo(2);
        assertThat(h.decision.flags()).isEqualTo(Abi.DISPATCH_PREEMPT);
        assertThat(h.decision.sliceNs()).isEqualTo(BASE / 2 / 2); // half slice, one task waiting on one CPU
        assertThat(h.nextPid()).isEqualTo(1);
        assertThat(h.decision.flags()).isZero();

        h.task(2).vtime(2_000_000).policy(Abi.CLASS_LATENCY_CRITICAL, 0, 0, Abi.POLICY_PRESENT);
        h.submit();
        h.next();
        assertThat(h.decision.flags()).as("slice expiry, not a wakeup: no preemption").isZero();
    }

    @Test
    void wakeupsPreemptByDeadlineUnlessBatchOrIdleAndThePolicyFlagAddsClassPreemption() {
        EngineHarness h = new EngineHarness(1);
        h.task(1).flags(Abi.TASK_WAKEUP);
        h.submit();
        h.next();
        assertThat(h.decision.flags()).as("Normal without a policy, like EEVDF").isEqualTo(Abi.DISPATCH_PREEMPT);
        assertThat(h.decision.schedClass()).isEqualTo(Abi.CLASS_NORMAL);
        h.task(1).flags(0);
        h.submit();
        h.next();
        assertThat(h.decision.flags()).as("slice expiry, not a wakeup").isZero();
        h.task(2).flags(Abi.TASK_WAKEUP).policy(Abi.CLASS_NORMAL, 0, 0, Abi.POLICY_PRESENT | Abi.POLICY_PREEMPT);
        h.submit();
        h.next();
        assertThat(h.decision.flags()).isEqualTo(Abi.DISPATCH_PREEMPT | Abi.DISPATCH_PREEMPT_CLASS);
        h.task(3).flags(Abi.TASK_WAKEUP).policy(Abi.CLASS_BATCH, 0, 0, Abi.POLICY_PRESENT | Abi.POLICY_PREEMPT);
        h.submit();
        h.next();
        assertThat(h.decision.flags()).as("Batch: lower classes only").isEqualTo(Abi.DISPATCH_PREEMPT_CLASS);
        assertThat(h.decision.schedClass()).isEqualTo(Abi.CLASS_BATCH);
        assertThat(h.decision.sliceNs()).as("batch: 4x base slice").isEqualTo(4 * BASE);
        h.task(5).flags(Abi.TASK_WAKEUP).policy(Abi.CLASS_BATCH, 0, 0, Abi.POLICY_PRESENT);
        h.submit();
        h.next();
        assertThat(h.decision.flags()).isZero();
        h.task(4).flags(Abi.TASK_WAKEUP).policy(Abi.CLASS_IDLE, 0, 0, Abi.POLICY_PRESENT | Abi.POLICY_PREEMPT);
        h.submit();
        h.next();
        assertThat(h.decision.flags()).as("Idle never preempts").isZero();
    }

    @Test
    void batchRunsAfterNormalAndIdleOnlyWhenNothingElseWaits() {
        EngineHarness h = new EngineHarness(1);
        h.task(3).vtime(0).policy(Abi.CLASS_IDLE, 0, 0, Abi.POLICY_PRESENT);
        h.submit();
        h.task(2).vtime(0).policy(Abi.CLASS_BATCH, 0, 0, Abi.POLICY_PRESENT);
        h.submit();
        h.task(1).vtime(15_000_000); // 15 ms of vtime behind the batch task, still ahead of it
        h.submit();
        for (int pid = 10; pid < 20; pid++) {
            h.task(pid).vtime(1_000_000_000L); // a whole second behind the idle task
            h.submit();
        }
        assertThat(h.nextPid()).isEqualTo(1);
        assertThat(h.nextPid()).isEqualTo(2);
        for (int i = 0; i < 10; i++) {
            assertThat(h.nextPid()).isBetween(10, 19);
        }
        assertThat(h.nextPid()).isEqualTo(3);
    }

    @Test
    void anIdleTaskEarnsNoCreditByWaiting() {
        EngineHarness h = new EngineHarness(1);
        // A Normal task runs 5 ms slices until the engine's vtime is 20 s past the Idle task's own (0).
        for (int round = 1; round <= 4_000; round++) {
            h.task(1).vtime(round * 5_000_000L);
            h.submit();
            assertThat(h.nextPid()).isEqualTo(1);
        }
        h.task(3).vtime(0).policy(Abi.CLASS_IDLE, 0, 0, Abi.POLICY_PRESENT);
        h.submit();
        h.task(1).vtime(20_005_000_000L);
        h.submit();
        assertThat(h.nextPid()).as("a Normal task 20 s of vtime ahead of the Idle task's own still goes first")
                .isEqualTo(1);
        assertThat(h.nextPid()).isEqualTo(3);
    }

    @Test
    void policyWithoutThePresentFlagIsIgnored() {
        EngineHarness h = new EngineHarness(1);
        h.task(1).flags(Abi.TASK_WAKEUP).policy(Abi.CLASS_LATENCY_CRITICAL, 5000, 1, Abi.POLICY_PREEMPT);
        h.submit();
        h.next();
        assertThat(h.decision.flags()).as("a Normal wakeup: no class preemption").isEqualTo(Abi.DISPATCH_PREEMPT);
        assertThat(h.decision.schedClass()).isEqualTo(Abi.CLASS_NORMAL);
        assertThat(h.decision.sliceNs()).isEqualTo(BASE);
    }

    @Test
    void policySliceOverridesAndIsClamped() {
        EngineHarness h = new EngineHarness(1);
        long[][] cases = {{2_000, 2_000_000}, {1, MIN}, {0xFFFF_FFFFL, MAX}, {0, BASE}};
        for (long[] c : cases) {
            for (int pid = 1; pid <= 5; pid++) { // a queue that would shrink a computed slice
                h.task(pid).policy(Abi.CLASS_NORMAL, 0, (int) c[0], Abi.POLICY_PRESENT);
                h.submit();
            }
            h.next();
            long expected = c[0] == 0 ? BASE / 5 : c[1];
            assertThat(h.decision.sliceNs()).as("slice_us %d", c[0]).isEqualTo(expected);
            while (h.next()) {
                // drain
            }
        }
    }

    @Test
    void oddInputsAreHandledWithoutExceptions() {
        EngineHarness h = new EngineHarness(2);
        h.task(0);
        assertThat(h.submit()).as("pid 0 consumed").isTrue();
        h.task(-5);
        assertThat(h.submit()).isTrue();
        assertThat(h.engine.invalidRecords()).isEqualTo(2);
        assertThat(h.engine.pending()).isZero();

        h.task(1).weight(0).prevCpu(-7).nrCpusAllowed(-1).execRuntime(-1).vtime(-1)
                .policy(77, -1, 0, Abi.POLICY_PRESENT).flags(-1);
        h.submit();
        h.task(2).weight(Integer.MIN_VALUE).prevCpu(5000).nrCpusAllowed(0).policy(-3, 0, -1, -1);
        h.submit();
        assertThat(h.engine.pending()).isEqualTo(2);
        while (h.next()) {
            assertThat(h.decision.cpu()).isEqualTo(Abi.CPU_ANY);
            assertThat(h.decision.sliceNs()).isBetween(MIN, MAX);
            assertThat(h.decision.vtime()).isNotNegative();
        }
    }

    @Test
    void weightZeroCountsAsNiceZero() {
        assertThat(simulatedShare(100, 0, 0, 0)).isCloseTo(1.0, within(0.05));
    }

    @Test
    void aNewerRecordForAQueuedPidReplacesTheOlderOne() {
        EngineHarness h = new EngineHarness(1);
        h.task(1).seq(10).vtime(1_000_000);
        h.submit();
        h.task(2).seq(11).vtime(3_000_000);
        h.submit();
        h.task(1).seq(12).vtime(5_000_000); // re-enqueued after running: only seq 12 may get a decision
        h.submit();
        h.task(1).seq(9).vtime(0); // an older record arriving late is dropped
        h.submit();
        assertThat(h.engine.pending()).isEqualTo(2);
        assertThat(h.engine.mergedRecords()).isEqualTo(2);
        assertThat(h.nextPid()).as("the merged record moved task 1 behind task 2").isEqualTo(2);
        assertThat(h.nextPid()).isEqualTo(1);
        assertThat(h.decision.seq()).isEqualTo(12);
        assertThat(h.decision.vtime()).isEqualTo(5_000_000);
        assertThat(h.next()).isFalse();
    }

    @Test
    void fullQueueRefusesWithoutSideEffects() {
        EngineHarness h = new EngineHarness(SchedulerConfig.builder().queueCapacity(3).build(), CpuTopology.uniform(1));
        for (int pid = 1; pid <= 3; pid++) {
            h.task(pid);
            assertThat(h.submit()).isTrue();
        }
        assertThat(h.engine.hasRoom()).isFalse();
        assertThat(h.engine.remainingCapacity()).isZero();
        h.task(4);
        assertThat(h.submit()).isFalse();
        assertThat(h.engine.rejectedFull()).isEqualTo(1);
        h.task(2).seq(1000); // a newer record of a queued task needs no slot
        assertThat(h.submit()).isTrue();
        h.nextPid();
        h.task(4);
        assertThat(h.submit()).isTrue();
        int seen = 0;
        while (h.next()) {
            seen++;
        }
        assertThat(seen).isEqualTo(3);
    }

    @Test
    void aLongSleeperBanksAtMostTheCreditAndAnOutlierMovesVtimeNowByOneSliceOnly() {
        SchedulerConfig config = SchedulerConfig.defaults();
        EngineHarness h = new EngineHarness(1);
        h.task(1).vtime(0);
        h.submit();
        h.nextPid();
        h.task(2).vtime(10_000_000_000L); // ran alone on an idle CPU for 10 s
        h.submit();
        h.nextPid();
        assertThat(h.engine.vtimeNow()).as("one step of at most a slice").isEqualTo(config.baseSliceNs());
        long now = config.baseSliceNs();
        for (int i = 1; i <= 4; i++) {
            now += 1_000_000;
            h.task(3).vtime(now);
            h.submit();
            h.nextPid();
        }
        assertThat(h.engine.vtimeNow()).as("follows ordinary progress exactly").isEqualTo(now);

        long floor = now - config.vtimeCreditNs();
        h.task(1).vtime(1_000).flags(Abi.TASK_WAKEUP).enqueuedAt(1);
        h.submit();
        h.nextPid();
        assertThat(h.decision.vtime()).as("woke with vtime clamped to vtimeNow - credit").isEqualTo(floor);
        // A slice-expiry record carries BPF's vtime as is (BPF clamps sleepers in ops.runnable).
        h.task(1).vtime(floor - 2_000_000).execRuntime(0).enqueuedAt(2);
        h.submit();
        h.nextPid();
        assertThat(h.decision.vtime()).isEqualTo(floor - 2_000_000);
    }
}
