package io.jthulhu.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Pods shaped like a Deployment's pods in a busy cluster: managed fields from three writers, three
 * containers with env, probes, resources and mounts, projected and config volumes, annotations, and a
 * status with conditions and container statuses. About 12 KB of JSON each.
 */
public final class RealisticPods {
  private RealisticPods() {
  }

  public static Pod pod(String namespace, String name, String node, Map<String, String> labels) {
    String app = labels.getOrDefault("app", "app");
    String hash = Integer.toHexString(app.hashCode() & 0xfffff);
    List<Container> containers = new ArrayList<>();
    List<ContainerStatus> statuses = new ArrayList<>();
    for (String container : List.of(app, "sidecar-proxy", "log-shipper")) {
      ContainerBuilder builder = new ContainerBuilder().withName(container)
          .withImage("registry.example.com/team/" + container + ":1.24.3@sha256:" + "a1b2c3d4".repeat(8))
          .withImagePullPolicy("IfNotPresent")
          .withArgs("--config=/etc/" + container + "/config.yaml", "--log-level=info", "--metrics-port=9090")
          .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort()
          .addNewPort().withName("metrics").withContainerPort(9090).withProtocol("TCP").endPort()
          .withNewResources()
          .addToRequests("cpu", new Quantity("250m")).addToRequests("memory", new Quantity("256Mi"))
          .addToLimits("memory", new Quantity("512Mi")).endResources()
          .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withNewPort(8080).endHttpGet()
          .withPeriodSeconds(5).endReadinessProbe()
          .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withNewPort(8080).endHttpGet()
          .withPeriodSeconds(10).withFailureThreshold(3).endLivenessProbe()
          .addNewVolumeMount().withName("config").withMountPath("/etc/" + container).withReadOnly(true).endVolumeMount()
          .addNewVolumeMount().withName("kube-api-access").withMountPath("/var/run/secrets/kubernetes.io/serviceaccount")
          .withReadOnly(true).endVolumeMount()
          .addNewVolumeMount().withName("data").withMountPath("/var/lib/" + container).endVolumeMount()
          .withTerminationMessagePath("/dev/termination-log").withTerminationMessagePolicy("File");
      for (int i = 0; i < 10; i++) {
        builder.addNewEnv().withName(container.toUpperCase().replace('-', '_') + "_SETTING_" + i)
            .withValue("value-" + i + "-" + container).endEnv();
      }
      builder.addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
          .endFieldRef().endValueFrom().endEnv();
      containers.add(builder.build());
      statuses.add(new ContainerStatusBuilder().withName(container).withReady(true).withRestartCount(0).withStarted(true)
          .withImage("registry.example.com/team/" + container + ":1.24.3")
          .withImageID("registry.example.com/team/" + container + "@sha256:" + "e5f6a7b8".repeat(8))
          .withContainerID("containerd://" + UUID.randomUUID().toString().replace("-", "") + "0123456789abcdef")
          .withNewState().withNewRunning().withStartedAt("2026-01-01T00:00:00Z").endRunning().endState()
          .build());
    }
    List<Volume> volumes = List.of(
        new VolumeBuilder().withName("config").withNewConfigMap().withName(app + "-config").withDefaultMode(420).endConfigMap().build(),
        new VolumeBuilder().withName("data").withNewEmptyDir().endEmptyDir().build(),
        new VolumeBuilder().withName("kube-api-access").withNewProjected().withDefaultMode(420)
            .addNewSource().withNewServiceAccountToken().withExpirationSeconds(3607L).withPath("token").endServiceAccountToken().endSource()
            .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt").withPath("ca.crt").endItem()
            .endConfigMap().endSource()
            .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef()
            .withApiVersion("v1").withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
            .endProjected().build());
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withUid(UUID.randomUUID().toString())
        .withGenerateName(app + "-" + hash + "-").withLabels(new LinkedHashMap<>(labels))
        .addToLabels("pod-template-hash", hash)
        .addToAnnotations("kubectl.kubernetes.io/restartedAt", "2026-01-01T00:00:00Z")
        .addToAnnotations("prometheus.io/scrape", "true")
        .addToAnnotations("prometheus.io/port", "9090")
        .addToAnnotations("example.com/build-info", "{\"commit\":\"" + "0123456789abcdef".repeat(2)
            + "\",\"pipeline\":\"https://ci.example.com/pipelines/123456\",\"builtAt\":\"2026-01-01T00:00:00Z\"}")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(app + "-" + hash)
        .withUid(UUID.nameUUIDFromBytes((namespace + app).getBytes()).toString()).withController(true)
        .withBlockOwnerDeletion(true).endOwnerReference()
        .withManagedFields(
            managedField("kube-controller-manager", "Update", null, 40),
            managedField("kube-scheduler", "Update", "status", 5),
            managedField("kubelet", "Update", "status", 60))
        .endMetadata()
        .withNewSpec().withNodeName(node).withContainers(containers).withVolumes(volumes)
        .withServiceAccountName(app).withRestartPolicy("Always").withDnsPolicy("ClusterFirst")
        .withSchedulerName("default-scheduler").withTerminationGracePeriodSeconds(30L).withPriority(0)
        .withEnableServiceLinks(true).withPreemptionPolicy("PreemptLowerPriority")
        .addNewToleration().withKey("node.kubernetes.io/not-ready").withOperator("Exists").withEffect("NoExecute")
        .withTolerationSeconds(300L).endToleration()
        .addNewToleration().withKey("node.kubernetes.io/unreachable").withOperator("Exists").withEffect("NoExecute")
        .withTolerationSeconds(300L).endToleration()
        .endSpec()
        .withNewStatus().withPhase("Running").withQosClass("Burstable").withHostIP("10.0.0.1").withPodIP("10.244.1.2")
        .addNewPodIP().withIp("10.244.1.2").endPodIP().withStartTime("2026-01-01T00:00:00Z")
        .addNewCondition().withType("Initialized").withStatus("True").withLastTransitionTime("2026-01-01T00:00:00Z").endCondition()
        .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime("2026-01-01T00:00:05Z").endCondition()
        .addNewCondition().withType("ContainersReady").withStatus("True").withLastTransitionTime("2026-01-01T00:00:05Z").endCondition()
        .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime("2026-01-01T00:00:00Z").endCondition()
        .withContainerStatuses(statuses)
        .endStatus()
        .build();
  }

  /** A managed-fields entry listing {@code fields} field paths, as server-side apply records them. */
  private static io.fabric8.kubernetes.api.model.ManagedFieldsEntry managedField(String manager, String operation,
      String subresource, int fields) {
    Map<String, Object> set = new LinkedHashMap<>();
    for (int i = 0; i < fields; i++) {
      set.put("f:field" + i, Map.of("f:nested" + i, Map.of(), "f:value", Map.of()));
    }
    FieldsV1 fieldsV1 = new FieldsV1();
    fieldsV1.setAdditionalProperty("f:spec", set);
    return new ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation).withApiVersion("v1")
        .withTime("2026-01-01T00:00:00Z").withFieldsType("FieldsV1").withFieldsV1(fieldsV1)
        .withSubresource(subresource).build();
  }
}
