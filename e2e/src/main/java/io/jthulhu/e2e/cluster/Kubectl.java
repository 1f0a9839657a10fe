package io.jthulhu.e2e.cluster;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.crd.PolicyConditions;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicyStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The few kubectl verbs the VM scenarios and the demo need, through the same Fabric8 client the
 * operator uses (the VM has no kubectl). The API server comes from KUBECONFIG. Each mutating verb
 * prints {@code at_ms=} (the guest's uptime when the API server answered) so that a scenario can time
 * what follows from the write itself, not from this JVM's start.
 * <pre>
 *   apply -f FILE            create or update every object of the (multi-document) YAML file
 *   delete -f FILE           delete every object of the file
 *   plan NODE                the node's plan: generation, pods, and the daemon's status
 *   policy NAME              the policy's status
 *   wait-policy NAME SECONDS until the policy's status is current and all its nodes applied it
 *   serve FIFO               run the commands written to a named pipe (see {@link #serve})
 * </pre>
 */
public final class Kubectl {
  private Kubectl() {
  }

  public static void main(String[] args) throws Exception {
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      client.getKubernetesSerialization().registerKubernetesResource(SchedulingPolicy.class);
      client.getKubernetesSerialization().registerKubernetesResource(NodeSchedulingPlan.class);
      if (args.length == 2 && "serve".equals(args[0])) {
        serve(client, Path.of(args[1]));
        return;
      }
      System.exit(run(client, args, System.out));
    }
  }

  /** One command; its exit status. Usage errors are 2, API errors 1. */
  static int run(KubernetesClient client, String[] args, PrintStream out) {
    try {
      return switch (args.length < 2 ? "" : args[0]) {
        case "apply" -> apply(client, file(args), false, out);
        case "delete" -> apply(client, file(args), true, out);
        case "plan" -> plan(client, args[1], out);
        case "policy" -> policy(client, args[1], out);
        case "wait-policy" -> waitPolicy(client, args[1], args.length > 2 ? Integer.parseInt(args[2]) : 60, out);
        default -> usage(out);
      };
    } catch (IllegalArgumentException e) {
      out.println("kubectl: " + e.getMessage());
      return 2;
    } catch (KubernetesClientException | IOException e) {
      out.println("kubectl: " + e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause()));
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /**
   * Runs the commands written to the named pipe, one a line ({@code ID verb args...}): output to
   * DIR/kubectl.ID.out, then the exit status to DIR/kubectl.ID.rc. A JVM start costs tens of seconds
   * under TCG; one process serving every command keeps a scenario's steps seconds apart.
   */
  private static void serve(KubernetesClient client, Path fifo) throws IOException {
    Path dir = fifo.toAbsolutePath().getParent();
    System.out.println("JT_KUBECTL ready");
    while (true) {
      try (BufferedReader commands = Files.newBufferedReader(fifo)) {
        String line;
        while ((line = commands.readLine()) != null) {
          String[] words = line.trim().split("\\s+");
          if (words.length < 2) {
            continue;
          }
          Path result = dir.resolve("kubectl." + words[0] + ".out");
          int status;
          try (PrintStream out = new PrintStream(Files.newOutputStream(result), true, StandardCharsets.UTF_8)) {
            status = run(client, Arrays.copyOfRange(words, 1, words.length), out);
          }
          Path rc = dir.resolve("kubectl." + words[0] + ".rc");
          Files.writeString(dir.resolve("kubectl." + words[0] + ".rc.tmp"), status + "\n");
          Files.move(dir.resolve("kubectl." + words[0] + ".rc.tmp"), rc, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    }
  }

  private static Path file(String[] args) {
    if (args.length != 3 || !"-f".equals(args[1])) {
      throw new IllegalArgumentException("usage: " + args[0] + " -f FILE");
    }
    return Path.of(args[2]);
  }

  private static int apply(KubernetesClient client, Path file, boolean delete, PrintStream out) throws IOException {
    List<HasMetadata> items;
    try (InputStream in = Files.newInputStream(file)) {
      items = client.load(in).items();
    }
    for (HasMetadata item : items) {
      String name = item.getKind().toLowerCase() + "/" + item.getMetadata().getName();
      if (delete) {
        boolean gone = !client.resource(item).delete().isEmpty();
        out.println(name + (gone ? " deleted" : " not found"));
      } else {
        // Read first, then create or replace at the stored version: what `kubectl apply` amounts to for a
        // single writer, without a create that fails with 409 first.
        HasMetadata current = client.resource(item).get();
        HasMetadata stored;
        if (current == null) {
          stored = client.resource(item).create();
        } else {
          item.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
          stored = client.resource(item).update();
        }
        // The API server assigns pods' UIDs; the scenario names the pods' cgroups after them, as kubelet does.
        out.println(name + " applied generation=" + stored.getMetadata().getGeneration()
            + " uid=" + stored.getMetadata().getUid());
      }
    }
    out.println("at_ms=" + uptimeMs());
    return 0;
  }

  private static int plan(KubernetesClient client, String node, PrintStream out) {
    NodeSchedulingPlan plan = client.resources(NodeSchedulingPlan.class).withName(node).get();
    if (plan == null) {
      out.println("plan=absent");
      return 1;
    }
    NodeSchedulingPlanStatus status = plan.getStatus();
    StringBuilder line = new StringBuilder()
        .append("generation=").append(plan.getMetadata().getGeneration())
        .append(" pods=").append(plan.getSpec() == null || plan.getSpec().getPods() == null ? 0 : plan.getSpec().getPods().size());
    if (status != null) {
      line.append(" observed_generation=").append(status.getObservedGeneration())
          .append(" applied_pods=").append(status.getAppliedPods())
          .append(" scheduler=").append(status.getSchedulerState())
          .append(" kernel=").append(status.getKernelSupport())
          .append(" source=").append(status.getPlanSource());
    }
    out.println(line);
    return 0;
  }

  private static int policy(KubernetesClient client, String name, PrintStream out) {
    SchedulingPolicy policy = client.resources(SchedulingPolicy.class).withName(name).get();
    if (policy == null) {
      out.println("policy=absent");
      return 1;
    }
    out.println(describe(policy));
    return 0;
  }

  private static int waitPolicy(KubernetesClient client, String name, int seconds, PrintStream out)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + seconds * 1_000_000_000L;
    SchedulingPolicy policy = null;
    while (System.nanoTime() < deadline) {
      policy = client.resources(SchedulingPolicy.class).withName(name).get();
      if (policy != null && allNodesApplied(policy)) {
        out.println(describe(policy) + " waited_ms=" + (System.nanoTime() - start) / 1_000_000);
        return 0;
      }
      Thread.sleep(100);
    }
    out.println((policy == null ? "policy=absent" : describe(policy)) + " timeout_s=" + seconds);
    return 1;
  }

  private static boolean allNodesApplied(SchedulingPolicy policy) {
    SchedulingPolicyStatus status = policy.getStatus();
    if (status == null || !Objects.equals(status.getObservedGeneration(), policy.getMetadata().getGeneration())) {
      return false;
    }
    Condition applied = condition(status, PolicyConditions.APPLIED);
    return applied != null && "True".equals(applied.getStatus());
  }

  private static String describe(SchedulingPolicy policy) {
    SchedulingPolicyStatus status = policy.getStatus();
    StringBuilder line = new StringBuilder("generation=").append(policy.getMetadata().getGeneration());
    if (status == null) {
      return line.append(" status=none").toString();
    }
    line.append(" observed_generation=").append(status.getObservedGeneration())
        .append(" matched_pods=").append(status.getMatchedPods());
    if (status.getNodes() != null) {
      line.append(" nodes_targeted=").append(status.getNodes().getTargeted())
          .append(" nodes_applied=").append(status.getNodes().getApplied());
    }
    Condition applied = condition(status, PolicyConditions.APPLIED);
    if (applied != null) {
      line.append(" applied=").append(applied.getStatus())
          .append(" message=\"").append(applied.getMessage()).append('"');
    }
    return line.toString();
  }

  private static Condition condition(SchedulingPolicyStatus status, String type) {
    return status.getConditions() == null ? null
        : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static long uptimeMs() {
    try {
      String first = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
      return Math.round(Double.parseDouble(first) * 1000);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static int usage(PrintStream out) {
    out.println("usage: kubectl apply|delete -f FILE | plan NODE | policy NAME | wait-policy NAME [SECONDS] | serve FIFO");
    return 2;
  }
}
