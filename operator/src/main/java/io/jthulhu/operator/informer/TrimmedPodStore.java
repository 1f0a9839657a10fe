package io.jthulhu.operator.informer;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod informer's store. It keeps only what resolution and the informer itself read: name,
 * namespace, UID, resourceVersion (the informer compares it on re-list), labels, owners, node name and
 * phase. A whole Pod with managed fields, containers and volumes is 10-20 KB; this keeps well under
 * 1 KB of it, and interns the strings that repeat across pods (label keys and values, namespaces,
 * node names).
 */
public final class TrimmedPodStore extends BasicItemStore<Pod> {
  public TrimmedPodStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public Pod put(String key, Pod pod) {
    return super.put(key, trim(pod));
  }

  public static Pod trim(Pod pod) {
    ObjectMeta full = pod.getMetadata();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(full.getName());
    meta.setNamespace(intern(full.getNamespace()));
    meta.setUid(full.getUid());
    meta.setResourceVersion(full.getResourceVersion());
    meta.setLabels(internAll(full.getLabels()));
    meta.setOwnerReferences(owners(full.getOwnerReferences()));
    Pod trimmed = new Pod();
    trimmed.setApiVersion(intern(pod.getApiVersion()));
    trimmed.setKind(intern(pod.getKind()));
    trimmed.setMetadata(meta);
    if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
      PodSpec spec = new PodSpec();
      spec.setNodeName(intern(pod.getSpec().getNodeName()));
      trimmed.setSpec(spec);
    }
    if (pod.getStatus() != null && pod.getStatus().getPhase() != null) {
      PodStatus status = new PodStatus();
      status.setPhase(intern(pod.getStatus().getPhase()));
      trimmed.setStatus(status);
    }
    return trimmed;
  }

  private static List<OwnerReference> owners(List<OwnerReference> owners) {
    if (owners == null || owners.isEmpty()) {
      return List.of();
    }
    return owners.stream().map(owner -> {
      OwnerReference copy = new OwnerReference();
      copy.setApiVersion(intern(owner.getApiVersion()));
      copy.setKind(intern(owner.getKind()));
      copy.setName(owner.getName());
      copy.setUid(owner.getUid());
      copy.setController(owner.getController());
      return copy;
    }).toList();
  }

  private static Map<String, String> internAll(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> interned = new HashMap<>(labels.size() * 4 / 3 + 1);
    labels.forEach((key, value) -> interned.put(intern(key), intern(value)));
    return Map.copyOf(interned);
  }

  private static String intern(String value) {
    return value == null ? null : value.intern();
  }
}
