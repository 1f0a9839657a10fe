package io.jthulhu.operator.resolve;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The inputs of a full resolution: valid policies, namespace labels by namespace name, node labels by
 * node name, and pods. Invalid policies are not part of it: they contribute nothing.
 */
public record ClusterState(
    List<PolicyRule> policies,
    Map<String, Map<String, String>> namespaceLabels,
    Map<String, Map<String, String>> nodeLabels,
    Collection<PodInfo> pods) {
}
