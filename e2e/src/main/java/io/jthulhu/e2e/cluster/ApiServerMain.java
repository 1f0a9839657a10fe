package io.jthulhu.e2e.cluster;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A stand-in for a Kubernetes API server in the full-chain scenario and the demo: the Fabric8 mock
 * server in CRUD mode (real HTTP, watches, resource versions), as a process of its own so that the
 * operator and the node daemon talk to it exactly as they would to a real one. It has no admission,
 * no authentication and no authorizer. Writes a kubeconfig for the clients and prints one ready line.
 * <p>Usage: {@code ApiServerMain --port N --kubeconfig PATH}
 */
public final class ApiServerMain {
  public static final String OPERATOR_NAMESPACE = "jthulhu-system";
  private static final String[] CRDS = {"schedulingpolicies.jthulhu.io-v1.yml", "nodeschedulingplans.jthulhu.io-v1.yml"};
  /** Held so that the level stays set: the mock server logs every request at INFO. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private ApiServerMain() {
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    Path kubeconfig = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
        case "--kubeconfig" -> kubeconfig = Path.of(value(args, ++i, "--kubeconfig"));
        default -> usage("unknown option " + args[i]);
      }
    }
    if (kubeconfig == null) {
      usage("--kubeconfig is required");
    }
    MOCK_LOG.setLevel(Level.WARNING);
    KubernetesMockServer server = start(port);
    writeKubeconfig(kubeconfig, server.getPort());
    System.out.println("JT_APISERVER ready port=" + server.getPort() + " kubeconfig=" + kubeconfig);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.destroy();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }

  /** The server on 127.0.0.1:port (0: any free port), with Jthulhu's CRDs and the operator's namespace. */
  public static KubernetesMockServer start(int port) throws IOException {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new KubernetesMixedDispatcher(expectations), false);
    server.init(InetAddress.getLoopbackAddress(), port);
    // No authorizer: JOSDK's check of the Lease permissions gets what the chart's Role grants.
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
            .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("get", "create", "update")
            .endResourceRule().withIncomplete(false).endStatus().build())
        .always();
    try (KubernetesClient client = server.createClient()) {
      for (String crd : CRDS) {
        try (InputStream in = ApiServerMain.class.getResourceAsStream("/META-INF/fabric8/" + crd)) {
          if (in == null) {
            throw new IOException("generated CRD " + crd + " missing from the classpath (jthulhu-crds jar)");
          }
          client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
        }
      }
      client.resource(new NamespaceBuilder().withNewMetadata().withName(OPERATOR_NAMESPACE).endMetadata().build())
          .create();
    }
    return server;
  }

  static void writeKubeconfig(Path file, int port) throws IOException {
    String yaml = String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: mock",
        "  cluster:",
        "    server: http://127.0.0.1:" + port,
        "contexts:",
        "- name: mock",
        "  context:",
        "    cluster: mock",
        "    user: mock",
        "current-context: mock",
        "users:",
        "- name: mock",
        "  user: {}",
        "");
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      usage(option + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("apiserver: " + problem + "\nusage: ApiServerMain --port N --kubeconfig PATH");
    System.exit(2);
  }
}
