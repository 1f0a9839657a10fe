package io.jthulhu.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.JthulhuOperator;
import io.jthulhu.operator.validation.CompiledPolicy;
import io.jthulhu.operator.validation.PolicyCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The chart, rendered by the real Helm with default and other values: least-privilege RBAC, the operator's and the
 * daemon's pods, metrics, the optional policy, and the generated CRDs. The daemon's command line is parsed by the
 * daemon's own CLI in node-daemon's ChartCommandLineTest; the operator's by OperatorMain in ContainerImageTest.
 */
class HelmChartTest {
  static final Path CHART = Path.of("..", "helm");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static List<JsonNode> render(String... sets) throws IOException {
    var template = new Helm(CHART).template().withName("jthulhu").withNamespace("jthulhu-system");
    for (int i = 0; i < sets.length; i += 2) {
      template.set(sets[i], sets[i + 1]);
    }
    List<JsonNode> documents = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(template.call())) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(doc -> {
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          documents.add(doc);
        }
      });
    }
    return documents;
  }

  static JsonNode find(List<JsonNode> documents, String kind, String name) {
    return documents.stream().filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
  }

  private static List<JsonNode> ofKind(List<JsonNode> documents, String kind) {
    return documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  /** Every verb granted, by "group/resource" (rules restricted to resource names are marked "[names]"). */
  private static Map<String, Set<String>> grants(JsonNode rules) {
    Map<String, Set<String>> grants = new TreeMap<>();
    for (JsonNode rule : rules) {
      String names = rule.has("resourceNames") ? texts(rule.path("resourceNames")).toString() : "";
      for (String group : texts(rule.path("apiGroups"))) {
        for (String resource : texts(rule.path("resources"))) {
          grants.computeIfAbsent(group + "/" + resource + names, k -> new TreeSet<>()).addAll(texts(rule.path("verbs")));
        }
      }
    }
    return grants;
  }

  private static Map<String, JsonNode> byName(JsonNode array) {
    Map<String, JsonNode> map = new TreeMap<>();
    array.forEach(item -> map.put(item.path("name").asText(), item));
    return map;
  }

  @Test
  void theChartLintsClean() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void theSchemaRefusesValuesTheTemplatesWouldTurnIntoABrokenPod() {
    assertThatThrownBy(() -> render("nodeDaemon.privileged", "yes")).hasMessageContaining("privileged");
    // A JVM option without its dash would be taken by java for the main class.
    assertThatThrownBy(() -> render("nodeDaemon.jvmOptions[0]", "Xmx1g")).hasMessageContaining("jvmOptions");
    // A sub-command among the extra options would be a second `run`.
    assertThatThrownBy(() -> render("nodeDaemon.extraArgs[0]", "probe")).hasMessageContaining("extraArgs");
    assertThatThrownBy(() -> render("nodeDaemon.httpPort", "0")).hasMessageContaining("httpPort");
    assertThatThrownBy(() -> render("nodeDaemon.stateDir", "relative/dir")).hasMessageContaining("stateDir");
    assertThatThrownBy(() -> render("defaultPolicy.spec.scheduling.class", "Fast")).hasMessageContaining("class");
    assertThatThrownBy(() -> render("operator.leaderElecton", "false")).hasMessageContaining("leaderElecton");
  }

  @Test
  void theOperatorRunsTwoElectedNonRootReplicasWithProbesOnItsMetricsPort() throws IOException {
    JsonNode deployment = find(render(), "Deployment", "jthulhu-operator");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
    JsonNode pod = deployment.at("/spec/template/spec");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("jthulhu-operator");
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(65532);
    JsonNode container = pod.at("/containers/0");
    assertThat(container.path("image").asText()).isEqualTo("ghcr.io/jthulhu/jthulhu-operator:0.1.0");
    assertThat(texts(container.path("command")))
        .containsExactly("/opt/java/bin/java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/jthulhu/jthulhu-operator.jar");
    assertThat(container.has("args")).isFalse();
    Map<String, JsonNode> env = byName(container.path("env"));
    assertThat(env).containsKeys("POD_NAMESPACE", "POD_NAME", "HTTP_PORT", "LEADER_ELECTION");
    assertThat(env.get("LEADER_ELECTION").path("value").asText()).isEqualTo("true");
    assertThat(env.get("HTTP_PORT").path("value").asText()).isEqualTo("8080");
    assertThat(env.get("POD_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.namespace");

    assertThat(container.at("/ports/0/name").asText()).isEqualTo("metrics");
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("metrics");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("metrics");

    JsonNode security = container.path("securityContext");
    assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(texts(security.at("/capabilities/drop"))).containsExactly("ALL");
    assertThat(security.at("/capabilities/add").isMissingNode()).isTrue();
    assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/tmp");
    assertThat(pod.at("/volumes/0/emptyDir").isObject()).isTrue();
    // Left to the operator's owner (being re-measured): the chart passes them through unchanged.
    assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("1Gi");
  }

  @Test
  void nonDefaultOperatorValuesReachThePod() throws IOException {
    List<JsonNode> documents = render("operator.replicas", "1", "operator.leaderElection", "false",
        "operator.httpPort", "9090", "operator.jvmOptions[0]", "-Xmx300m", "operator.image.tag", "dev");
    JsonNode container = find(documents, "Deployment", "jthulhu-operator").at("/spec/template/spec/containers/0");
    assertThat(container.path("image").asText()).isEqualTo("ghcr.io/jthulhu/jthulhu-operator:dev");
    assertThat(texts(container.path("command"))).containsExactly("/opt/java/bin/java", "-Xmx300m", "-jar",
        "/opt/jthulhu/jthulhu-operator.jar");
    assertThat(byName(container.path("env")).get("LEADER_ELECTION").path("value").asText()).isEqualTo("false");
    assertThat(byName(container.path("env")).get("HTTP_PORT").path("value").asText()).isEqualTo("9090");
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(9090);
    // Without leader election there is no Lease to grant.
    assertThat(ofKind(documents, "Role")).isEmpty();
    assertThat(ofKind(documents, "RoleBinding")).isEmpty();
    assertThat(find(documents, "Service", "jthulhu-operator-metrics").at("/spec/ports/0/port").asInt()).isEqualTo(9090);
  }

  @Test
  void theOperatorMayReadItsInputsWritePlansAndPolicyStatusAndItsLeaseOnly() throws IOException {
    List<JsonNode> documents = render();
    assertThat(grants(find(documents, "ClusterRole", "jthulhu-operator").path("rules"))).containsExactly(
        entry("/events", Set.of("create", "patch")),
        entry("/namespaces", Set.of("get", "list", "watch")),
        entry("/nodes", Set.of("get", "list", "watch")),
        entry("/pods", Set.of("get", "list", "watch")),
        entry("jthulhu.io/nodeschedulingplans", Set.of("get", "list", "watch", "create", "patch")),
        entry("jthulhu.io/schedulingpolicies", Set.of("get", "list", "watch")),
        entry("jthulhu.io/schedulingpolicies/status", Set.of("get", "patch", "update")));
    JsonNode role = find(documents, "Role", "jthulhu-operator-leader-election");
    assertThat(role.at("/metadata/namespace").asText()).isEqualTo("jthulhu-system");
    // The Lease the operator elects with, by name; create cannot be limited to a name.
    assertThat(grants(role.path("rules"))).containsExactly(
        entry("coordination.k8s.io/leases", Set.of("create")),
        entry("coordination.k8s.io/leases[" + JthulhuOperator.Settings.LEASE_NAME + "]", Set.of("get", "update")));
    JsonNode binding = find(documents, "ClusterRoleBinding", "jthulhu-operator");
    assertThat(binding.at("/subjects/0/name").asText()).isEqualTo("jthulhu-operator");
    assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo("jthulhu-system");
    assertThat(find(documents, "RoleBinding", "jthulhu-operator-leader-election").at("/roleRef/name").asText())
        .isEqualTo("jthulhu-operator-leader-election");
  }

  @Test
  void theDaemonMayReadPlansAndWriteTheirStatusNothingMore() throws IOException {
    List<JsonNode> documents = render();
    assertThat(grants(find(documents, "ClusterRole", "jthulhu-node-daemon").path("rules"))).containsExactly(
        entry("jthulhu.io/nodeschedulingplans", Set.of("get", "list", "watch")),
        entry("jthulhu.io/nodeschedulingplans/status", Set.of("update", "patch")));
    JsonNode binding = find(documents, "ClusterRoleBinding", "jthulhu-node-daemon");
    assertThat(binding.at("/roleRef/name").asText()).isEqualTo("jthulhu-node-daemon");
    assertThat(binding.at("/subjects/0/name").asText()).isEqualTo("jthulhu-node-daemon");
    assertThat(find(documents, "DaemonSet", "jthulhu-node-daemon").at("/spec/template/spec/serviceAccountName").asText())
        .isEqualTo("jthulhu-node-daemon");
  }

  @Test
  void theDaemonIsNodeCriticalEverywhereAndRollsOneNodeAtATime() throws IOException {
    JsonNode daemonSet = find(render(), "DaemonSet", "jthulhu-node-daemon");
    JsonNode pod = daemonSet.at("/spec/template/spec");
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("system-node-critical");
    assertThat(pod.path("tolerations")).hasSize(1);
    assertThat(pod.at("/tolerations/0/operator").asText()).isEqualTo("Exists");
    assertThat(pod.at("/tolerations/0/key").isMissingNode()).as("every taint").isTrue();
    assertThat(daemonSet.at("/spec/updateStrategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(daemonSet.at("/spec/updateStrategy/rollingUpdate/maxUnavailable").asInt()).isEqualTo(1);
    assertThat(pod.path("hostPID").asBoolean()).isTrue();
    assertThat(pod.path("hostNetwork").asBoolean()).isFalse();
    assertThat(find(render("nodeDaemon.maxUnavailable", "20%"), "DaemonSet", "jthulhu-node-daemon")
        .at("/spec/updateStrategy/rollingUpdate/maxUnavailable").asText()).isEqualTo("20%");
  }

  @Test
  void theDaemonHoldsOnlyTheCapabilitiesItsKernelCallsNeed() throws IOException {
    JsonNode container = find(render(), "DaemonSet", "jthulhu-node-daemon").at("/spec/template/spec/containers/0");
    JsonNode security = container.path("securityContext");
    assertThat(security.path("privileged").asBoolean(false)).isFalse();
    assertThat(texts(security.at("/capabilities/drop"))).containsExactly("ALL");
    assertThat(texts(security.at("/capabilities/add"))).containsExactlyInAnyOrder("BPF", "PERFMON", "IPC_LOCK");
    // Added capabilities reach uid 0 only.
    assertThat(security.path("runAsUser").asInt(-1)).isZero();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(security.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
  }

  @Test
  void thePrivilegedFallbackIsOneValue() throws IOException {
    JsonNode security = find(render("nodeDaemon.privileged", "true"), "DaemonSet", "jthulhu-node-daemon")
        .at("/spec/template/spec/containers/0/securityContext");
    assertThat(security.path("privileged").asBoolean()).isTrue();
    // The API server refuses privileged together with allowPrivilegeEscalation=false.
    assertThat(security.has("allowPrivilegeEscalation")).isFalse();
    assertThat(security.has("capabilities")).isFalse();
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
  }

  @Test
  void theDaemonMountsWhatItReadsReadOnlyAndOnlyItsStateWritable() throws IOException {
    JsonNode pod = find(render(), "DaemonSet", "jthulhu-node-daemon").at("/spec/template/spec");
    Map<String, JsonNode> mounts = new TreeMap<>();
    pod.at("/containers/0/volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m));
    // sysfs (/sys/kernel/sched_ext, /sys/kernel/btf) is the container's own: no host mount, no bpffs.
    assertThat(mounts).containsOnlyKeys("/sys/fs/cgroup", "/var/lib/jthulhu", "/tmp");
    assertThat(mounts.get("/sys/fs/cgroup").path("readOnly").asBoolean()).isTrue();
    assertThat(mounts.get("/var/lib/jthulhu").path("readOnly").asBoolean()).isFalse();
    assertThat(mounts.values()).noneMatch(m -> m.has("mountPropagation"));
    Map<String, JsonNode> volumes = byName(pod.path("volumes"));
    assertThat(volumes.get(mounts.get("/sys/fs/cgroup").path("name").asText()).at("/hostPath/path").asText())
        .isEqualTo("/sys/fs/cgroup");
    assertThat(texts(arrayOf(pod.path("volumes").findValues("path")))).containsExactlyInAnyOrder("/sys/fs/cgroup",
        "/var/lib/jthulhu");
    JsonNode state = volumes.get(mounts.get("/var/lib/jthulhu").path("name").asText());
    assertThat(state.at("/hostPath/path").asText()).isEqualTo("/var/lib/jthulhu");
    assertThat(state.at("/hostPath/type").asText()).isEqualTo("DirectoryOrCreate");
    assertThat(volumes.get(mounts.get("/tmp").path("name").asText()).has("emptyDir")).isTrue();

    JsonNode moved = find(render("nodeDaemon.stateDir", "/var/lib/jthulhu-b"), "DaemonSet", "jthulhu-node-daemon")
        .at("/spec/template/spec");
    assertThat(texts(arrayOf(moved.at("/containers/0/volumeMounts").findValues("mountPath")))).contains("/var/lib/jthulhu-b");
    assertThat(texts(arrayOf(moved.path("volumes").findValues("path")))).contains("/var/lib/jthulhu-b");
    assertThat(texts(moved.at("/containers/0/args"))).contains("--state-dir=/var/lib/jthulhu-b");
  }

  @Test
  void theDaemonsProbesAndPortFollowItsHttpPort() throws IOException {
    for (int port : new int[] {9402, 9500}) {
      List<JsonNode> documents = port == 9402 ? render() : render("nodeDaemon.httpPort", String.valueOf(port));
      JsonNode container = find(documents, "DaemonSet", "jthulhu-node-daemon").at("/spec/template/spec/containers/0");
      assertThat(container.at("/ports/0/name").asText()).isEqualTo("metrics");
      assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(port);
      assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
      assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("metrics");
      assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
      assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("metrics");
      assertThat(texts(container.path("args"))).contains("--http-port=" + port);
      assertThat(find(documents, "Service", "jthulhu-node-daemon-metrics").at("/spec/ports/0/port").asInt()).isEqualTo(port);
    }
  }

  @Test
  void theDaemonsHeapIsFixedAndPreTouchedAndItsMemoryGuaranteed() throws IOException {
    JsonNode container = find(render(), "DaemonSet", "jthulhu-node-daemon").at("/spec/template/spec/containers/0");
    List<String> command = texts(container.path("command"));
    String xms = command.stream().filter(o -> o.startsWith("-Xms")).findFirst().orElseThrow();
    assertThat(command).contains("-Xmx" + xms.substring(4), "-XX:+AlwaysPreTouch");
    // Request = limit: the node never reclaims the daemon's memory before another pod's.
    assertThat(container.at("/resources/requests/memory").asText()).isEqualTo(container.at("/resources/limits/memory").asText());
    // A CPU quota would throttle the scheduler itself.
    assertThat(container.at("/resources/limits/cpu").isMissingNode()).isTrue();
    long heapMiB = Long.parseLong(xms.substring(4, xms.length() - 1));
    assertThat(mebibytes(container.at("/resources/limits/memory").asText())).isGreaterThan(heapMiB + 128);
  }

  private static long mebibytes(String quantity) {
    if (quantity.endsWith("Gi")) {
      return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
    }
    assertThat(quantity).endsWith("Mi");
    return Long.parseLong(quantity.substring(0, quantity.length() - 2));
  }

  @Test
  void theDaemonCanBeLeftOut() throws IOException {
    List<JsonNode> documents = render("nodeDaemon.enabled", "false");
    assertThat(documents).noneMatch(d -> d.at("/metadata/name").asText().startsWith("jthulhu-node-daemon"));
    assertThat(find(documents, "Deployment", "jthulhu-operator")).isNotNull();
  }

  @Test
  void metricsServicesSelectThePodsAndTheServiceMonitorIsOptIn() throws IOException {
    List<JsonNode> documents = render();
    assertThat(ofKind(documents, "ServiceMonitor")).isEmpty();
    JsonNode operatorService = find(documents, "Service", "jthulhu-operator-metrics");
    JsonNode daemonService = find(documents, "Service", "jthulhu-node-daemon-metrics");
    assertSelects(operatorService, find(documents, "Deployment", "jthulhu-operator"));
    assertSelects(daemonService, find(documents, "DaemonSet", "jthulhu-node-daemon"));
    assertThat(daemonService.at("/spec/clusterIP").asText()).isEqualTo("None");

    List<JsonNode> monitored = render("metrics.serviceMonitor.enabled", "true", "metrics.serviceMonitor.labels.release",
        "kube-prometheus");
    JsonNode monitor = find(monitored, "ServiceMonitor", "jthulhu");
    assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    for (JsonNode service : ofKind(monitored, "Service")) {
      monitor.at("/spec/selector/matchLabels").fields().forEachRemaining(label ->
          assertThat(service.at("/metadata/labels").path(label.getKey()).asText())
              .as("%s selected by the ServiceMonitor", service.at("/metadata/name").asText())
              .isEqualTo(label.getValue().asText()));
      assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("metrics");
    }
  }

  private static void assertSelects(JsonNode service, JsonNode workload) {
    JsonNode podLabels = workload.at("/spec/template/metadata/labels");
    assertThat(service.at("/spec/selector").size()).isPositive();
    service.at("/spec/selector").fields().forEachRemaining(label ->
        assertThat(podLabels.path(label.getKey()).asText()).isEqualTo(label.getValue().asText()));
    assertThat(service.at("/spec/ports/0/targetPort").asText())
        .isEqualTo(workload.at("/spec/template/spec/containers/0/ports/0/name").asText());
  }

  @Test
  void theDefaultPolicyIsOptionalAndOneTheOperatorAccepts() throws IOException {
    assertThat(ofKind(render(), "SchedulingPolicy")).isEmpty();
    JsonNode rendered = find(render("defaultPolicy.enabled", "true"), "SchedulingPolicy", "jthulhu-default");
    assertThat(rendered.path("apiVersion").asText()).isEqualTo("jthulhu.io/v1alpha1");
    SchedulingPolicy policy = new KubernetesSerialization().unmarshal(YAML.writeValueAsString(rendered), SchedulingPolicy.class);
    assertThat(policy.getSpec().getPriority()).isZero();
    // The operator's own compiler: selectors and scheduling parameters it would apply.
    assertThat(PolicyCompiler.compile(policy)).isInstanceOf(CompiledPolicy.Valid.class);
    JsonNode batch = find(render("defaultPolicy.enabled", "true", "defaultPolicy.spec.scheduling.class", "Batch"),
        "SchedulingPolicy", "jthulhu-default");
    assertThat(batch.at("/spec/scheduling/class").asText()).isEqualTo("Batch");
    // The chart passes the spec through: what the operator refuses, it reports (here the weight).
    JsonNode invalid = find(render("defaultPolicy.enabled", "true", "defaultPolicy.spec.scheduling.weight", "0"),
        "SchedulingPolicy", "jthulhu-default");
    assertThat(PolicyCompiler.compile(new KubernetesSerialization().unmarshal(YAML.writeValueAsString(invalid),
        SchedulingPolicy.class))).isInstanceOf(CompiledPolicy.Invalid.class);
  }

  @Test
  void theNotesTellHowToCheckEveryNodeAttached() {
    String output = new Helm(CHART).install().withName("jthulhu").withNamespace("jthulhu-system").clientOnly().dryRun()
        .call().getOutput();
    assertThat(output).contains("kubectl get nodeschedulingplans", "SCHEDULER", "PODS", "KERNEL", "Enabled", "Supported");
  }

  @Test
  void theNotesColumnsAreTheCrdsPrinterColumns() throws IOException {
    JsonNode crd = YAML.readTree(CHART.resolve("crds").resolve("nodeschedulingplans.jthulhu.io-v1.yml").toFile());
    List<String> columns = texts(arrayOf(crd.at("/spec/versions/0/additionalPrinterColumns").findValues("name")));
    assertThat(columns).contains("Scheduler", "Pods", "Kernel");
    String notes = Files.readString(CHART.resolve("templates").resolve("NOTES.txt"));
    for (String column : List.of("Scheduler", "Pods", "Kernel")) {
      assertThat(notes).contains("  " + column.toUpperCase() + " ");
    }
  }

  @Test
  void theChartShipsTheGeneratedCrds() throws IOException {
    for (String name : List.of("schedulingpolicies.jthulhu.io-v1.yml", "nodeschedulingplans.jthulhu.io-v1.yml")) {
      try (InputStream generated = HelmChartTest.class.getResourceAsStream("/META-INF/fabric8/" + name)) {
        assertThat(generated).as("generated CRD %s on the classpath", name).isNotNull();
        assertThat(Files.readString(CHART.resolve("crds").resolve(name)))
            .as("helm/crds/%s differs from the CRD generated from the Java types", name)
            .isEqualTo(new String(generated.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }

  private static JsonNode arrayOf(List<JsonNode> values) {
    var array = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    values.forEach(array::add);
    return array;
  }
}
