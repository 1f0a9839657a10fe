package io.jthulhu.node.enforce;

import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.UnresolvedPod;
import io.jthulhu.node.plan.PlanChecks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Keeps the kernel's pod policies equal to the plan in force: each pod of the plan whose cgroup
 * exists here has its policy in the {@link PolicyMap}, keyed by its pod-level cgroup, and nothing
 * else has one. Changes go pod by pod (each map update is atomic), then tasks are told once. The
 * state outlives the scheduler: after a re-attach {@link #attach} fills the new object's maps before
 * its first task is scheduled. Thread-safe: the plan source, the periodic re-check and the
 * scheduler's attach thread all call in.
 */
public final class PlanEnforcer {
    /** Why a pod of the plan has no policy here (UnresolvedPod.reason). */
    public static final String CGROUP_NOT_FOUND = "CgroupNotFound";
    public static final String INVALID_SCHEDULING = "InvalidScheduling";
    public static final String DUPLICATE_POD = "DuplicatePod";

    /** What the last pass applied: the plan's generation, pods with their policy, pods without. */
    public record Report(long generation, int appliedPods, List<UnresolvedPod> unresolved) {
    }

    /** A pod whose policy is in force, with its cgroup. */
    public record AppliedPod(String namespace, String name, String podUid, String policy, String schedulingClass,
                             long cgroupId, PodPolicy podPolicy) {
    }

    private final CgroupLookup cgroups;
    private PolicyMap map;
    private NodeSchedulingPlan plan;
    private Map<Long, AppliedPod> applied = new HashMap<>();
    private Report last = new Report(0, 0, List.of());

    public PlanEnforcer(CgroupLookup cgroups) {
        this.cgroups = cgroups;
    }

    /** Puts a new plan in force and applies it. */
    public synchronized Report apply(NodeSchedulingPlan newPlan) {
        plan = Objects.requireNonNull(newPlan, "plan");
        return reconcile();
    }

    /** Applies the plan in force again: pods whose cgroup appeared or went away since. */
    public synchronized Report reconcile() {
        Map<Long, AppliedPod> desired = new HashMap<>();
        List<UnresolvedPod> unresolved = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<PodAssignment> pods = plan == null || plan.getSpec() == null ? List.of() : plan.getSpec().getPods();
        for (PodAssignment pod : pods) {
            if (pod == null) {
                continue;
            }
            if (!PlanChecks.applicable(pod)) {
                continue; // reported below, with the reason
            }
            String uid = pod.getPodUid();
            if (!seen.add(uid)) {
                unresolved.add(new UnresolvedPod(uid, DUPLICATE_POD, "the plan lists this pod more than once; the first entry applies"));
                continue;
            }
            PodPolicy policy;
            try {
                policy = PodPolicy.from(pod.getScheduling());
            } catch (IllegalArgumentException e) {
                unresolved.add(new UnresolvedPod(uid, INVALID_SCHEDULING, e.getMessage()));
                continue;
            }
            OptionalLong id = cgroups.cgroupId(uid);
            if (id.isEmpty()) {
                unresolved.add(new UnresolvedPod(uid, CGROUP_NOT_FOUND, "no cgroup for pod " + pod.getNamespace() + "/"
                        + pod.getName() + " on this node (not started yet, exited, or running elsewhere)"));
                continue;
            }
            String cls = pod.getScheduling().getSchedulingClass().name();
            desired.put(id.getAsLong(), new AppliedPod(pod.getNamespace(), pod.getName(), uid, pod.getPolicy(), cls,
                    id.getAsLong(), policy));
        }
        if (plan != null) {
            unresolved.addAll(PlanChecks.inapplicable(plan));
        }
        if (map != null) {
            boolean changed = false;
            for (Long id : applied.keySet()) {
                if (!desired.containsKey(id)) {
                    map.remove(id);
                    changed = true;
                }
            }
            for (AppliedPod pod : desired.values()) {
                AppliedPod before = applied.get(pod.cgroupId());
                if (before == null || !before.podPolicy().equals(pod.podPolicy())) {
                    map.put(pod.cgroupId(), pod.podPolicy());
                    changed = true;
                }
            }
            if (changed) {
                map.publish();
            }
        }
        applied = desired;
        long generation = plan == null || plan.getMetadata() == null || plan.getMetadata().getGeneration() == null
                ? 0 : plan.getMetadata().getGeneration();
        last = new Report(generation, desired.size(), List.copyOf(unresolved));
        return last;
    }

    /**
     * A freshly loaded scheduler: its maps get every applied pod, and lose anything else, before the
     * scheduler is attached.
     */
    public synchronized void attach(PolicyMap newMap) {
        map = newMap;
        for (Long stale : newMap.cgroupIds()) {
            if (!applied.containsKey(stale)) {
                newMap.remove(stale);
            }
        }
        for (AppliedPod pod : applied.values()) {
            newMap.put(pod.cgroupId(), pod.podPolicy());
        }
        newMap.publish();
    }

    /** The scheduler is gone: keep the plan, touch no map until the next attach. */
    public synchronized void detach() {
        map = null;
    }

    public synchronized Report lastReport() {
        return last;
    }

    public synchronized List<AppliedPod> appliedPods() {
        return List.copyOf(applied.values());
    }

    /** Accounting of an applied pod, or null while detached. */
    public synchronized PodStats stats(AppliedPod pod) {
        return map == null ? null : map.stats(pod.cgroupId());
    }

    /** Cgroup ids the kernel holds a policy for that no applied pod accounts for (0 when consistent). */
    public synchronized int staleEntries() {
        if (map == null) {
            return 0;
        }
        int stale = 0;
        for (Long id : map.cgroupIds()) {
            if (!applied.containsKey(id)) {
                stale++;
            }
        }
        return stale;
    }
}
