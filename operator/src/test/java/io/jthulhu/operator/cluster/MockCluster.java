package io.jthulhu.operator.cluster;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.Queue;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingParameters;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicySpec;
import io.jthulhu.operator.JthulhuOperator;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A Fabric8 mock API server in CRUD mode (real HTTP, watches) with the generated CRDs installed, plus
 * builders for the objects the scenarios need. The operator under test runs against it unmodified.
 */
public final class MockCluster implements AutoCloseable {
  public static final String OPERATOR_NAMESPACE = "jthulhu-system";
  /** Held so the JUL logger (and its level) is not collected: the mock server logs every request at INFO. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));

  private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
    logger.setLevel(java.util.logging.Level.WARNING);
    return logger;
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public MockCluster() {
    this(UnaryOperator.identity());
  }

  /** A cluster whose API requests pass through {@code decorate} first (e.g. to serve what the mock cannot). */
  public MockCluster(UnaryOperator<Dispatcher> decorate) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        decorate.apply(new KubernetesMixedDispatcher(expectations)), false);
    server.init();
    // The mock has no authorizer: answer JOSDK's Lease permission check with what the chart's Role grants.
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
            .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("get", "create", "update")
            .endResourceRule().withIncomplete(false).endStatus().build())
        .always();
    client = server.createClient();
    for (String crd : new String[] {"schedulingpolicies.jthulhu.io-v1.yml", "nodeschedulingplans.jthulhu.io-v1.yml"}) {
      try (InputStream in = MockCluster.class.getResourceAsStream("/META-INF/fabric8/" + crd)) {
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      } catch (java.io.IOException e) {
        throw new IllegalStateException("generated CRD " + crd + " missing from the crds jar", e);
      }
    }
    client.resource(new NamespaceBuilder().withNewMetadata().withName(OPERATOR_NAMESPACE).endMetadata().build()).create();
  }

  public KubernetesClient client() {
    return client;
  }

  public KubernetesMockServer server() {
    return server;
  }

  /** An operator against this cluster, with fast lease timings and no process exit on a lost lease. */
  public JthulhuOperator operator(String identity, boolean leaderElection, MeterRegistry registry) {
    return operator(identity, leaderElection, registry, Duration.ofSeconds(20));
  }

  /** As above, with how long start-up waits for the informers to sync before it reports them failing. */
  public JthulhuOperator operator(String identity, boolean leaderElection, MeterRegistry registry, Duration cacheSyncTimeout) {
    return new JthulhuOperator(client, registry, new JthulhuOperator.Settings(OPERATOR_NAMESPACE, identity,
        leaderElection, Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(250), false, cacheSyncTimeout));
  }

  public Node node(String name, String... labels) {
    return client.resource(new NodeBuilder().withMetadata(meta(name, labels)).build()).create();
  }

  public Namespace namespace(String name, String... labels) {
    return client.resource(new NamespaceBuilder().withMetadata(meta(name, labels)).build()).create();
  }

  public Pod pod(String namespace, String name, String node, String... labels) {
    Pod pod = new PodBuilder().withMetadata(meta(name, labels))
        .editMetadata().withNamespace(namespace).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("busybox").endContainer().endSpec()
        .withNewStatus().withPhase("Running").endStatus()
        .build();
    return client.resource(pod).create();
  }

  public SchedulingPolicy policy(String name, int priority, SchedulingClass schedulingClass, LabelSelector pods) {
    return policy(name, priority, PolicyMode.Enforce, schedulingClass, pods, null, null);
  }

  public SchedulingPolicy policy(String name, int priority, PolicyMode mode, SchedulingClass schedulingClass,
      LabelSelector pods, LabelSelector namespaces, LabelSelector nodes) {
    SchedulingPolicy policy = new SchedulingPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).build());
    SchedulingPolicySpec spec = new SchedulingPolicySpec();
    spec.setPriority(priority);
    spec.setMode(mode);
    spec.setPodSelector(pods);
    spec.setNamespaceSelector(namespaces);
    spec.setNodeSelector(nodes);
    spec.setScheduling(new SchedulingParameters(schedulingClass));
    policy.setSpec(spec);
    return client.resource(policy).create();
  }

  public NodeSchedulingPlan plan(String node) {
    return client.resources(NodeSchedulingPlan.class).withName(node).get();
  }

  public SchedulingPolicy policy(String name) {
    return client.resources(SchedulingPolicy.class).withName(name).get();
  }

  private static io.fabric8.kubernetes.api.model.ObjectMeta meta(String name, String... labels) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      map.put(labels[i], labels[i + 1]);
    }
    return new ObjectMetaBuilder().withName(name).withUid(UUID.randomUUID().toString()).withLabels(map).build();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
