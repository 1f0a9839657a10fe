package io.jthulhu.operator.resolve;

import java.util.Map;

/** What resolution needs to know about a pod. {@code nodeName} is null while the pod is unscheduled. */
public record PodInfo(String uid, String namespace, String name, String nodeName, String phase, Map<String, String> labels) {

  /** Only pods bound to a node and not finished take part; host-network and static pods are no different. */
  public boolean isResolvable() {
    return nodeName != null && !nodeName.isEmpty() && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }
}
