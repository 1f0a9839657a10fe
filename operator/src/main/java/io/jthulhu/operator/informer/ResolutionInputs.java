package io.jthulhu.operator.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.jthulhu.operator.resolve.PodInfo;
import java.util.Map;
import java.util.Objects;

/**
 * Conversions from API objects to resolver inputs, and the update filters that drop events which
 * cannot change a resolution (node heartbeats, pod status churn, status-only policy writes).
 */
public final class ResolutionInputs {
  private ResolutionInputs() {
  }

  public static PodInfo podInfo(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return new PodInfo(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
        node, phase, labels(pod));
  }

  public static Map<String, String> labels(HasMetadata resource) {
    Map<String, String> labels = resource.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  public static boolean labelsChanged(HasMetadata newObject, HasMetadata oldObject) {
    return !labels(newObject).equals(labels(oldObject))
        || !Objects.equals(newObject.getMetadata().getUid(), oldObject.getMetadata().getUid());
  }

  public static boolean podChanged(Pod newPod, Pod oldPod) {
    PodInfo now = podInfo(newPod);
    PodInfo before = podInfo(oldPod);
    return !now.labels().equals(before.labels())
        || !Objects.equals(now.nodeName(), before.nodeName())
        || now.isResolvable() != before.isResolvable()
        || !Objects.equals(now.uid(), before.uid());
  }
}
