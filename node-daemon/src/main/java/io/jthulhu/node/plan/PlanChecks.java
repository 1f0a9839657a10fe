package io.jthulhu.node.plan;

import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.UnresolvedPod;
import java.util.ArrayList;
import java.util.List;

/**
 * Pods of a received plan that cannot be applied as written. Plans are read leniently (a scheduling
 * class this build does not know reads as null) so that one such pod does not stop the whole plan.
 */
public final class PlanChecks {
  public static final String REASON_UNKNOWN_CLASS = "UnknownSchedulingClass";
  public static final String REASON_INCOMPLETE = "IncompleteAssignment";

  private PlanChecks() {
  }

  /** True when the daemon can apply this entry: it names a pod and a known scheduling class. */
  public static boolean applicable(PodAssignment pod) {
    return pod.getPodUid() != null && pod.getScheduling() != null && pod.getScheduling().getSchedulingClass() != null;
  }

  /** The entries of spec.pods the daemon must report as unresolved, with the reason, in plan order. */
  public static List<UnresolvedPod> inapplicable(NodeSchedulingPlan plan) {
    List<UnresolvedPod> result = new ArrayList<>();
    if (plan.getSpec() == null) {
      return result;
    }
    for (PodAssignment pod : plan.getSpec().getPods()) {
      if (applicable(pod)) {
        continue;
      }
      String uid = pod.getPodUid() == null ? pod.getNamespace() + "/" + pod.getName() : pod.getPodUid();
      if (pod.getScheduling() == null) {
        result.add(new UnresolvedPod(uid, REASON_INCOMPLETE, "no scheduling parameters"));
      } else if (pod.getScheduling().getSchedulingClass() == null) {
        result.add(new UnresolvedPod(uid, REASON_UNKNOWN_CLASS,
            "scheduling class unknown to this daemon (missing or newer than this build)"));
      } else {
        result.add(new UnresolvedPod(uid, REASON_INCOMPLETE, "no podUid"));
      }
    }
    return result;
  }
}
