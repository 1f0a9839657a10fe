package io.jthulhu.node.plan;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.SchedulingClass;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/** A Fabric8 mock API server in CRUD mode over real HTTP, with the generated NodeSchedulingPlan CRD installed. */
final class MockApi implements AutoCloseable {
  /** Held so the level sticks: the mock server logs every request at INFO. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  final KubernetesMockServer server;
  final KubernetesClient client;

  MockApi() {
    this(0);
  }

  /** On a given port (0: any), so that a client made before the server existed can find it. */
  MockApi(int port) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new KubernetesMixedDispatcher(expectations), false);
    if (port == 0) {
      server.init();
    } else {
      server.init(InetAddress.getLoopbackAddress(), port);
    }
    client = server.createClient();
    // The CRD declares the status subresource: with it installed the mock keeps spec and status writes apart.
    try (InputStream in = MockApi.class.getResourceAsStream("/META-INF/fabric8/nodeschedulingplans.jthulhu.io-v1.yml")) {
      client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
    } catch (IOException e) {
      throw new IllegalStateException("generated CRD missing from the crds classes", e);
    }
  }

  static PodAssignment pod(String uid, SchedulingClass schedulingClass, int weight) {
    return new PodAssignment(uid, "ns", "pod-" + uid, "policy-a", 1,
        new EffectiveScheduling(schedulingClass, weight, schedulingClass.defaultSliceMicros(), false), new ArrayList<>());
  }

  static NodeSchedulingPlan plan(String node, PodAssignment... pods) {
    NodeSchedulingPlan plan = new NodeSchedulingPlan();
    plan.setMetadata(new ObjectMetaBuilder().withName(node).build());
    plan.setSpec(new NodeSchedulingPlanSpec(node, new ArrayList<>(List.of(pods)), new ArrayList<>()));
    return plan;
  }

  NodeSchedulingPlan create(NodeSchedulingPlan plan) {
    return client.resource(plan).create();
  }

  NodeSchedulingPlan get(String node) {
    return client.resources(NodeSchedulingPlan.class).withName(node).get();
  }

  /** Stores raw JSON, bypassing the Java types (the mock does not validate against the schema). */
  GenericKubernetesResource createRaw(String json) {
    GenericKubernetesResource raw = client.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    var resources = client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(NodeSchedulingPlan.class));
    GenericKubernetesResource created = resources.resource(raw).create();
    Object status = raw.getAdditionalProperties().get("status");
    if (status == null) {
      return created;
    }
    // Create ignores status when the CRD has the status subresource; it is written separately.
    created.setAdditionalProperty("status", status);
    return resources.resource(created).updateStatus();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
