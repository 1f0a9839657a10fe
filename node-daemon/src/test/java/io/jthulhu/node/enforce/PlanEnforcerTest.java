package io.jthulhu.node.enforce;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.UnresolvedPod;
import io.jthulhu.node.bpf.layout.Abi;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PlanEnforcerTest {
    /** The kernel's map as the enforcer sees it, with a log of the calls. */
    static final class RecordingMap implements PolicyMap {
        final Map<Long, PodPolicy> entries = new HashMap<>();
        final List<String> calls = new ArrayList<>();
        int publishes;

        @Override
        public void put(long cgroupId, PodPolicy policy) {
            entries.put(cgroupId, policy);
            calls.add("put " + cgroupId);
        }

        @Override
        public void remove(long cgroupId) {
            entries.remove(cgroupId);
            calls.add("remove " + cgroupId);
        }

        @Override
        public Set<Long> cgroupIds() {
            return Set.copyOf(entries.keySet());
        }

        @Override
        public void publish() {
            publishes++;
        }

        @Override
        public PodStats stats(long cgroupId) {
            return entries.containsKey(cgroupId) ? new PodStats(1, 2, 3, new long[Abi.WAIT_BUCKETS]) : null;
        }
    }

    private final Map<String, Long> cgroups = new HashMap<>();
    private final PlanEnforcer enforcer = new PlanEnforcer(uid -> cgroups.containsKey(uid)
            ? OptionalLong.of(cgroups.get(uid)) : OptionalLong.empty());

    private static PodAssignment pod(String uid, SchedulingClass c, int weight) {
        return new PodAssignment(uid, "ns", "pod-" + uid, "policy-" + uid, 1,
                new EffectiveScheduling(c, weight, c.defaultSliceMicros(), c.defaultPreempt()), List.of());
    }

    private static NodeSchedulingPlan plan(long generation, PodAssignment... pods) {
        NodeSchedulingPlan plan = new NodeSchedulingPlan();
        plan.setMetadata(new ObjectMetaBuilder().withName("node-a").withGeneration(generation).build());
        plan.setSpec(new NodeSchedulingPlanSpec("node-a", List.of(pods), List.of()));
        return plan;
    }

    @Test
    void appliesEachPodWhoseCgroupExistsAndReportsTheOthers() {
        RecordingMap map = new RecordingMap();
        enforcer.attach(map);
        cgroups.put("a", 101L);
        PlanEnforcer.Report r = enforcer.apply(plan(3, pod("a", SchedulingClass.LatencyCritical, 300),
                pod("b", SchedulingClass.Batch, 100)));

        assertThat(r.generation()).isEqualTo(3);
        assertThat(r.appliedPods()).isEqualTo(1);
        assertThat(r.unresolved()).extracting(UnresolvedPod::getPodUid, UnresolvedPod::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("b", PlanEnforcer.CGROUP_NOT_FOUND));
        assertThat(map.entries).containsOnlyKeys(101L);
        assertThat(map.entries.get(101L)).isEqualTo(new PodPolicy(Abi.CLASS_LATENCY_CRITICAL, 300, 1_000, true));
        assertThat(map.entries.get(101L).flags()).isEqualTo(Abi.POLICY_PREEMPT);

        // The pod's cgroup appears later: the next re-check applies it, without a new plan.
        cgroups.put("b", 102L);
        r = enforcer.reconcile();
        assertThat(r.appliedPods()).isEqualTo(2);
        assertThat(r.unresolved()).isEmpty();
        assertThat(map.entries).containsOnlyKeys(101L, 102L);
    }

    @Test
    void changesOnlyWhatChangedAndLeavesNoEntryBehind() {
        RecordingMap map = new RecordingMap();
        enforcer.attach(map);
        cgroups.put("a", 1L);
        cgroups.put("b", 2L);
        enforcer.apply(plan(1, pod("a", SchedulingClass.Normal, 100), pod("b", SchedulingClass.Normal, 100)));
        map.calls.clear();
        int publishes = map.publishes;

        enforcer.apply(plan(2, pod("a", SchedulingClass.Normal, 100), pod("b", SchedulingClass.Idle, 100)));
        assertThat(map.calls).containsExactly("put 2");
        assertThat(map.publishes).isEqualTo(publishes + 1);

        enforcer.apply(plan(3, pod("b", SchedulingClass.Idle, 100)));
        assertThat(map.calls).containsExactly("put 2", "remove 1");
        // The pod exits: its cgroup goes, and so does its entry.
        cgroups.remove("b");
        assertThat(enforcer.reconcile().unresolved()).hasSize(1);
        assertThat(map.entries).isEmpty();
        assertThat(enforcer.staleEntries()).isZero();

        // Nothing changed: nothing written, tasks not told again.
        map.calls.clear();
        publishes = map.publishes;
        enforcer.reconcile();
        assertThat(map.calls).isEmpty();
        assertThat(map.publishes).isEqualTo(publishes);
    }

    @Test
    void invalidSchedulingIsReportedWithTheFieldAndAppliesNothingForThatPod() {
        RecordingMap map = new RecordingMap();
        enforcer.attach(map);
        cgroups.put("a", 1L);
        cgroups.put("b", 2L);
        PodAssignment unknownClass = pod("a", SchedulingClass.Normal, 100);
        unknownClass.getScheduling().setSchedulingClass(null);
        PlanEnforcer.Report r = enforcer.apply(plan(1, unknownClass, pod("b", SchedulingClass.Normal, 20_000)));
        assertThat(r.appliedPods()).isZero();
        assertThat(r.unresolved()).extracting(UnresolvedPod::getPodUid, UnresolvedPod::getReason).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("a", io.jthulhu.node.plan.PlanChecks.REASON_UNKNOWN_CLASS),
                org.assertj.core.groups.Tuple.tuple("b", PlanEnforcer.INVALID_SCHEDULING));
        assertThat(r.unresolved()).extracting(UnresolvedPod::getMessage)
                .anySatisfy(m -> assertThat(m).startsWith("scheduling.weight: 20000"));
        assertThat(map.entries).isEmpty();
    }

    @Test
    void aNewSchedulerGetsEveryAppliedPodBeforeItIsAttachedAndLosesStrayEntries() {
        cgroups.put("a", 1L);
        enforcer.apply(plan(1, pod("a", SchedulingClass.Batch, 100)));   // detached: nothing to write yet
        RecordingMap fresh = new RecordingMap();
        fresh.entries.put(99L, new PodPolicy(Abi.CLASS_NORMAL, 100, 0, false));
        enforcer.attach(fresh);
        assertThat(fresh.entries).containsOnlyKeys(1L);
        assertThat(fresh.publishes).isEqualTo(1);

        enforcer.detach();
        cgroups.put("b", 2L);
        enforcer.apply(plan(2, pod("a", SchedulingClass.Batch, 100), pod("b", SchedulingClass.Normal, 100)));
        assertThat(fresh.entries).as("no map writes while detached").containsOnlyKeys(1L);
        RecordingMap next = new RecordingMap();
        enforcer.attach(next);
        assertThat(next.entries).containsOnlyKeys(1L, 2L);
    }

    @Test
    void aPodListedTwiceAppliesOnce() {
        RecordingMap map = new RecordingMap();
        enforcer.attach(map);
        cgroups.put("a", 1L);
        PlanEnforcer.Report r = enforcer.apply(plan(1, pod("a", SchedulingClass.Normal, 100), pod("a", SchedulingClass.Idle, 100)));
        assertThat(r.appliedPods()).isEqualTo(1);
        assertThat(r.unresolved()).extracting(UnresolvedPod::getReason).containsExactly(PlanEnforcer.DUPLICATE_POD);
        assertThat(map.entries.get(1L).schedClass()).isEqualTo(Abi.CLASS_NORMAL);
    }
}
