package io.jthulhu.operator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.operator.cluster.MockCluster;
import io.jthulhu.operator.cluster.RealisticPods;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The API server side of {@link OperatorMemoryBenchmark}, in its own JVM so that its memory is not
 * counted as the operator's. Nodes, namespaces and policies are created through the mock's CRUD API.
 * The bulk of the pods is served by a paging layer in front of the mock: the mock neither pages lists
 * (a real API server does, and the operator asks it to) nor stores 150 000 objects fast (every create
 * scans the whole store). One pod, {@value #PROBE_POD}, lives in the mock's store so that it can be
 * updated and watched like any other.
 *
 * <p>Args: nodes policies pods. Prints {@code READY <url>}, then serves until stdin closes.
 */
public final class MockApiServerMain {
  static final String PROBE_POD = "probe";
  static final String PROBE_NAMESPACE = "ns-0";
  static final int NAMESPACES = 100;
  static final int APPS = 1_000;
  static final String[] TIERS = {"frontend", "backend", "batch", "cache"};

  private MockApiServerMain() {
  }

  static String app(int pod) {
    return "app-" + pod % APPS;
  }

  static String node(int pod, int nodes) {
    return "node-" + (int) ((pod * 7919L) % nodes);
  }

  static Map<String, String> podLabels(int pod) {
    int app = pod % APPS;
    return Map.of("app", "app-" + app, "tier", TIERS[app % TIERS.length], "release", "r" + (app % 7));
  }

  public static void main(String[] args) throws Exception {
    int nodes = Integer.parseInt(args[0]);
    int policies = Integer.parseInt(args[1]);
    int pods = Integer.parseInt(args[2]);
    PagedPods paged = new PagedPods();
    MockCluster cluster = new MockCluster(paged::wrap);
    long start = System.nanoTime();
    for (int i = 0; i < NAMESPACES; i++) {
      cluster.namespace("ns-" + i, "team", "team-" + i % 20, "env", i % 4 == 0 ? "staging" : "prod");
    }
    for (int i = 0; i < nodes; i++) {
      cluster.node("node-" + i, "pool", "pool-" + i % 10, "topology.kubernetes.io/zone", "zone-" + i % 3,
          "node.kubernetes.io/instance-type", i % 2 == 0 ? "m6i.4xlarge" : "c6i.8xlarge");
    }
    for (int p = 0; p < policies; p++) {
      LabelSelector podSelector = new LabelSelectorBuilder().addNewMatchExpression().withKey("app").withOperator("In")
          .withValues("app-" + (5 * p) % APPS, "app-" + (5 * p + 1) % APPS, "app-" + (5 * p + 2) % APPS).endMatchExpression()
          .build();
      LabelSelector namespaces = p % 5 == 0 ? new LabelSelectorBuilder().addToMatchLabels("env", "prod").build() : null;
      LabelSelector nodeSelector = p % 10 == 0 ? new LabelSelectorBuilder().addNewMatchExpression().withKey("pool")
          .withOperator("NotIn").withValues("pool-9").endMatchExpression().build() : null;
      SchedulingClass schedulingClass = SchedulingClass.values()[p % SchedulingClass.values().length];
      cluster.policy("policy-" + p, p % 50, p % 7 == 0 ? PolicyMode.Audit : PolicyMode.Enforce, schedulingClass,
          podSelector, namespaces, nodeSelector);
    }
    cluster.client().resource(RealisticPods.pod(PROBE_NAMESPACE, PROBE_POD, "node-0", podLabels(0))).create();
    System.err.printf("created %d namespaces, %d nodes, %d policies in %d ms%n", NAMESPACES, nodes, policies,
        (System.nanoTime() - start) / 1_000_000);

    start = System.nanoTime();
    long bytes = 0;
    List<String> bulk = new ArrayList<>(pods);
    for (int i = 1; i < pods; i++) {
      Pod pod = RealisticPods.pod("ns-" + i % NAMESPACES, app(i) + "-" + i, node(i, nodes), podLabels(i));
      pod.getMetadata().setResourceVersion("1");
      pod.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
      String json = cluster.client().getKubernetesSerialization().asJson(pod);
      bytes += json.length();
      bulk.add(json);
    }
    paged.bulk = bulk;
    System.err.printf("built %d more pods (%d bytes of JSON, %d per pod) in %d ms%n", bulk.size(), bytes,
        bulk.isEmpty() ? 0 : bytes / bulk.size(), (System.nanoTime() - start) / 1_000_000);

    System.out.println("READY " + cluster.client().getMasterUrl());
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // serve until the benchmark closes our stdin
    }
    cluster.close();
  }

  /** Serves the pod list in pages from the bulk pods followed by the mock's own pods; all else goes to the mock. */
  static final class PagedPods {
    private static final ObjectMapper JSON = new ObjectMapper();
    volatile List<String> bulk = List.of();
    private volatile List<String> snapshot = List.of();
    private volatile String snapshotVersion = "0";

    Dispatcher wrap(Dispatcher mock) {
      return new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          String path = request.getPath();
          if ("GET".equals(request.getMethod()) && path.startsWith("/api/v1/pods?") && path.contains("limit=")
              && !path.contains("watch=true")) {
            return page(mock, path);
          }
          return mock.dispatch(request);
        }

        @Override
        public void shutdown() {
          mock.shutdown();
        }
      };
    }

    private MockResponse page(Dispatcher mock, String path) {
      Map<String, String> query = query(path);
      int limit = Integer.parseInt(query.get("limit"));
      int offset = query.containsKey("continue") ? Integer.parseInt(query.get("continue")) : 0;
      if (offset == 0) {
        // A new list: the mock's own pods (and the resourceVersion to watch from) as of now.
        List<String> items = new ArrayList<>(bulk);
        try {
          RecordedRequest all = new RecordedRequest("GET /api/v1/pods HTTP/1.1",
              io.fabric8.mockwebserver.dsl.HttpMethod.GET, "/api/v1/pods",
              io.fabric8.mockwebserver.http.Headers.builder().build(), null);
          JsonNode list = JSON.readTree(mock.dispatch(all).getBody().readUtf8());
          list.get("items").forEach(item -> items.add(item.toString()));
          snapshotVersion = list.get("metadata").get("resourceVersion").asText();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        snapshot = items;
      }
      List<String> items = snapshot;
      int end = Math.min(items.size(), offset + limit);
      StringBuilder body = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"")
          .append(snapshotVersion).append('"');
      if (end < items.size()) {
        body.append(",\"continue\":\"").append(end).append('"');
      }
      body.append("},\"items\":[");
      for (int i = offset; i < end; i++) {
        body.append(i > offset ? "," : "").append(items.get(i));
      }
      body.append("]}");
      return new MockResponse().setResponseCode(200).addHeader("Content-Type", "application/json").setBody(body.toString());
    }

    private static Map<String, String> query(String path) {
      Map<String, String> query = new java.util.HashMap<>();
      for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return query;
    }
  }
}
