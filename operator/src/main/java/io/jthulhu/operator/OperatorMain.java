package io.jthulhu.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jthulhu.operator.health.HealthServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
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

  static final String USAGE = """
      Usage: jthulhu-operator [-h|--help]
      Jthulhu operator: resolves SchedulingPolicies into one NodeSchedulingPlan per node.
      Takes no arguments; configured by the environment:
        POD_NAMESPACE    namespace of its Lease and Events (default jthulhu-system)
        POD_NAME         leader-election identity (default the host name)
        HTTP_PORT        port of /healthz, /readyz and /metrics (default 8080)
        LEADER_ELECTION  "false" to run without a Lease (default true)
      Talks to the API server of the current kubeconfig or the in-cluster service account.
      """;

  private OperatorMain() {
  }

  /**
   * The whole command line: the operator is configured by its environment, so the only argument is a request for
   * help. Returns the exit code to end with, or -1 to run; an unknown argument is refused rather than ignored.
   */
  static int commandLine(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      return -1;
    }
    if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
      out.print(USAGE);
      return 0;
    }
    err.println("jthulhu-operator: unexpected argument(s): " + String.join(" ", args));
    err.print(USAGE);
    return 2;
  }

  public static void main(String[] args) throws Exception {
    int exit = commandLine(args, System.out, System.err);
    if (exit >= 0) {
      System.exit(exit);
    }
    Map<String, String> env = System.getenv();
    String namespace = env.getOrDefault("POD_NAMESPACE", "jthulhu-system");
    String identity = env.containsKey("POD_NAME") ? env.get("POD_NAME") : hostName(env);
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

  /** The host's name without a resolver: a container's own name need not resolve (no /etc/hosts entry). */
  private static String hostName(Map<String, String> env) {
    if (env.containsKey("HOSTNAME")) {
      return env.get("HOSTNAME");
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "jthulhu-operator-" + ProcessHandle.current().pid();
    }
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
