package io.jthulhu.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The chart lints, renders what the operator and the node daemon need, and ships the generated CRDs. */
class HelmChartTest {
  private static final Path CHART = Path.of("..", "helm");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static List<JsonNode> render(String... sets) throws IOException {
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

  private static JsonNode find(List<JsonNode> documents, String kind, String name) {
    return documents.stream().filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  @Test
  void theChartLintsClean() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void theOperatorDeploymentRunsTwoElectedReplicasWithProbesAndMetrics() throws IOException {
    JsonNode deployment = find(render(), "Deployment", "jthulhu-operator");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    assertThat(container.path("image").asText()).isEqualTo("ghcr.io/jthulhu/jthulhu-operator:0.1.0");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(texts(arrayOf(container.path("env").findValues("name"))))
        .contains("POD_NAMESPACE", "POD_NAME", "HTTP_PORT", "LEADER_ELECTION");
    assertThat(deployment.at("/spec/template/spec/serviceAccountName").asText()).isEqualTo("jthulhu-operator");
  }

  @Test
  void theOperatorMayDoWhatItDoesAndLeaseOnlyInItsNamespace() throws IOException {
    List<JsonNode> documents = render();
    JsonNode rules = find(documents, "ClusterRole", "jthulhu-operator").path("rules");
    assertThat(allowed(rules, "", "pods")).contains("list", "watch");
    assertThat(allowed(rules, "", "nodes")).contains("list", "watch");
    assertThat(allowed(rules, "", "namespaces")).contains("list", "watch");
    assertThat(allowed(rules, "jthulhu.io", "schedulingpolicies")).contains("list", "watch");
    assertThat(allowed(rules, "jthulhu.io", "schedulingpolicies/status")).contains("patch");
    assertThat(allowed(rules, "jthulhu.io", "nodeschedulingplans")).contains("list", "watch", "create", "patch");
    assertThat(allowed(rules, "", "events")).contains("create");
    assertThat(allowed(rules, "coordination.k8s.io", "leases")).isEmpty();
    JsonNode role = find(documents, "Role", "jthulhu-operator-leader-election");
    assertThat(role.at("/metadata/namespace").asText()).isEqualTo("jthulhu-system");
    assertThat(allowed(role.path("rules"), "coordination.k8s.io", "leases")).contains("get", "create", "update");
  }

  @Test
  void theNodeDaemonIsPrivilegedWithHostPidAndTheKernelMounts() throws IOException {
    JsonNode daemonSet = find(render("nodeDaemon.image.tag", "dev", "nodeDaemon.args[0]", "--log-level=debug"),
        "DaemonSet", "jthulhu-node-daemon");
    JsonNode pod = daemonSet.at("/spec/template/spec");
    assertThat(pod.path("hostPID").asBoolean()).isTrue();
    JsonNode container = pod.at("/containers/0");
    assertThat(container.at("/securityContext/privileged").asBoolean()).isTrue();
    assertThat(container.path("image").asText()).isEqualTo("ghcr.io/jthulhu/jthulhu-node-daemon:dev");
    assertThat(texts(container.path("args"))).containsExactly("--log-level=debug");
    assertThat(texts(arrayOf(container.path("volumeMounts").findValues("mountPath"))))
        .containsExactlyInAnyOrder("/sys/fs/bpf", "/sys/fs/cgroup", "/sys/kernel");
    JsonNode rules = find(render(), "ClusterRole", "jthulhu-node-daemon").path("rules");
    assertThat(allowed(rules, "jthulhu.io", "nodeschedulingplans/status")).contains("patch");
    assertThat(allowed(rules, "jthulhu.io", "nodeschedulingplans")).doesNotContain("create", "delete");
  }

  @Test
  void theNodeDaemonCanBeLeftOut() throws IOException {
    assertThat(render("nodeDaemon.enabled", "false")).noneMatch(d -> d.path("kind").asText().equals("DaemonSet"));
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

  /** Verbs granted on {@code resource} of {@code group} by a list of RBAC rules. */
  private static List<String> allowed(JsonNode rules, String group, String resource) {
    List<String> verbs = new ArrayList<>();
    for (JsonNode rule : rules) {
      if (texts(rule.path("apiGroups")).contains(group) && texts(rule.path("resources")).contains(resource)) {
        verbs.addAll(texts(rule.path("verbs")));
      }
    }
    return verbs;
  }
}
