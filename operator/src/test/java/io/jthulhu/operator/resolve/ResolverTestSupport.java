package io.jthulhu.operator.resolve;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.operator.selector.InvalidSelectorException;
import io.jthulhu.operator.selector.Selector;
import java.util.Map;

/** Small builders shared by the resolver tests. */
final class ResolverTestSupport {
  private ResolverTestSupport() {
  }

  static Selector selector(LabelSelector selector) {
    try {
      return Selector.compile(selector, "test");
    } catch (InvalidSelectorException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Selector labels(String... keyValues) {
    LabelSelectorBuilder builder = new LabelSelectorBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      builder.addToMatchLabels(keyValues[i], keyValues[i + 1]);
    }
    return selector(builder.build());
  }

  static PolicyRule rule(String name, int priority, PolicyMode mode, Selector pods) {
    return rule(name, priority, mode, pods, Selector.EVERYTHING, Selector.EVERYTHING);
  }

  static PolicyRule rule(String name, int priority, PolicyMode mode, Selector pods, Selector namespaces, Selector nodes) {
    return new PolicyRule(name, 1, priority, mode, pods, namespaces, nodes,
        new EffectiveScheduling(SchedulingClass.Normal, 100 + priority, 5_000, false));
  }

  static PodInfo pod(String uid, String namespace, String node, Map<String, String> labels) {
    return new PodInfo(uid, namespace, "pod-" + uid, node, "Running", labels);
  }
}
