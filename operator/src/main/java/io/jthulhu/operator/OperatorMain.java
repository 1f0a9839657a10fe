package io.jthulhu.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jthulhu.operator.health.HealthServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Container entry point. Talks to the API server of the current kubeconfig (or the in-cluster service
 * account). Environment: POD_NAMESPACE (Lease and Events; default "jthulhu-system"), POD_NAME (leader
 * identity; default the host name), HTTP_PORT (health and metrics; default 8080), LEADER_ELECTION
 * ("false" to run without a Lease, e.g. a single replica during development).
 */
public final class OperatorMain {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    String namespace = env.getOrDefault("POD_NAMESPACE", "jthulhu-system");
    String identity = env.getOrDefault("POD_NAME", InetAddress.getLocalHost().getHostName());
    int port = parsePort(env.getOrDefault("HTTP_PORT", "8080"));
    boolean leaderElection = !"false".equalsIgnoreCase(env.getOrDefault("LEADER_ELECTION", "true"));

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KubernetesClient client = new KubernetesClientBuilder().build();
    JthulhuOperator operator = new JthulhuOperator(client, registry,
        JthulhuOperator.Settings.standard(namespace, identity, leaderElection));
    HealthServer health = new HealthServer(port, () -> operator.operator().getRuntimeInfo(),
        operator.informerHealth(), registry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping");
      operator.close();
      health.close();
      client.close();
      stopped.countDown();
    }, "shutdown"));
    try {
      operator.start();
    } catch (RuntimeException e) {
      // Informers that cannot sync retry and report through health; what still fails here is the
      // operator's own set-up, which a restart by the kubelet may fix. The health server's thread would
      // otherwise keep the JVM alive.
      LOG.error("operator failed to start against {}: {}", client.getMasterUrl(), e.getMessage(), e);
      health.close();
      client.close();
      System.exit(1);
    }
    LOG.info("jthulhu operator started against {} (namespace {}, identity {}, leader election {}, http :{})",
        client.getMasterUrl(), namespace, identity, leaderElection, health.port());
    stopped.await();
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("HTTP_PORT: must be a port number 0-65535, got \"" + value + "\"", e);
    }
  }
}
