package io.jthulhu.node.plan;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node's NodeSchedulingPlan from the API server. The informer lists and watches one object (field
 * selector metadata.name=node), so a node never receives the other nodes' plans. It starts without
 * waiting for the API server: when that is unreachable the listener hears planSourceUnavailable and the
 * informer keeps retrying with backoff, while the daemon enforces the plan it has.
 *
 * <p>Threads: plans come on the Fabric8 informer's event thread; unavailability from the informer's
 * list/watch thread or from the watchdog thread "jthulhu-plan-watchdog". Calls to the listener are
 * serialized by this source (never two at once) and never happen on the caller of {@link #start}.
 */
public final class KubernetesPlanSource implements PlanSource {
  static final Duration DEFAULT_WATCHDOG_INTERVAL = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final String nodeName;
  private final Duration watchdogInterval;
  private final Object deliveryLock = new Object();

  private SharedIndexInformer<NodeSchedulingPlan> informer;
  private ScheduledExecutorService watchdog;
  private PlanListener listener;

  // Guarded by deliveryLock.
  private NodeSchedulingPlanSpec deliveredSpec;
  private Long deliveredGeneration;
  private boolean delivered;
  private String unavailableReason;
  private boolean announced;
  private int watchdogMisses;

  public KubernetesPlanSource(KubernetesClient client, String nodeName) {
    this(client, nodeName, DEFAULT_WATCHDOG_INTERVAL);
  }

  /** The watchdog notices a watch that went down without an error reaching the informer (e.g. a silent reconnect loop). */
  KubernetesPlanSource(KubernetesClient client, String nodeName, Duration watchdogInterval) {
    this.client = Objects.requireNonNull(client, "client");
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.watchdogInterval = watchdogInterval;
  }

  @Override
  public synchronized void start(PlanListener listener) {
    if (informer != null) {
      throw new IllegalStateException("already started");
    }
    this.listener = Objects.requireNonNull(listener, "listener");
    informer = client.resources(NodeSchedulingPlan.class)
        .withField("metadata.name", nodeName)
        .runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<NodeSchedulingPlan>() {
      @Override
      public void onAdd(NodeSchedulingPlan plan) {
        deliverIfChanged(plan);
      }

      @Override
      public void onUpdate(NodeSchedulingPlan before, NodeSchedulingPlan plan) {
        deliverIfChanged(plan);
      }

      @Override
      public void onDelete(NodeSchedulingPlan plan, boolean finalStateUnknown) {
        deliverIfChanged(emptyPlanLike(plan));
      }
    });
    // Retry after every error (true): with the default handler a failed first list stops the informer for good.
    informer.exceptionHandler((started, error) -> {
      unavailable("cannot " + (started ? "watch" : "list") + " NodeSchedulingPlan " + nodeName + ": " + reason(error));
      return true;
    });
    // Not waited for: a first list that fails keeps retrying in the background.
    informer.start();
    watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "jthulhu-plan-watchdog");
      thread.setDaemon(true);
      return thread;
    });
    long period = watchdogInterval.toMillis();
    watchdog.scheduleWithFixedDelay(this::checkWatch, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public String describe() {
    return "kubernetes";
  }

  /** Stops the informer and the watchdog; the client belongs to the caller and stays open. */
  @Override
  public synchronized void close() {
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
    if (informer != null) {
      informer.close();
    }
  }

  private void deliverIfChanged(NodeSchedulingPlan plan) {
    synchronized (deliveryLock) {
      available();
      Long generation = plan.getMetadata() == null ? null : plan.getMetadata().getGeneration();
      if (delivered && Objects.equals(deliveredSpec, plan.getSpec()) && Objects.equals(deliveredGeneration, generation)) {
        return;
      }
      // The informer's cache owns the object it passed; the listener gets its own copy.
      NodeSchedulingPlan copy = client.getKubernetesSerialization().clone(plan);
      deliveredSpec = client.getKubernetesSerialization().clone(plan.getSpec());
      deliveredGeneration = generation;
      delivered = true;
      call(() -> listener.planReceived(copy));
    }
  }

  /** A deleted plan means the operator has no enforced pods for this node: the same object with no pods. */
  private NodeSchedulingPlan emptyPlanLike(NodeSchedulingPlan deleted) {
    NodeSchedulingPlan empty = new NodeSchedulingPlan();
    ObjectMeta meta = deleted.getMetadata() == null ? new ObjectMeta() : deleted.getMetadata();
    empty.setMetadata(new ObjectMetaBuilder().withName(nodeName).withUid(meta.getUid())
        .withGeneration(meta.getGeneration()).withResourceVersion(meta.getResourceVersion()).build());
    empty.setSpec(new NodeSchedulingPlanSpec(nodeName, new ArrayList<>(), new ArrayList<>()));
    return empty;
  }

  private void checkWatch() {
    synchronized (deliveryLock) {
      if (informer.isWatching()) {
        watchdogMisses = 0;
        available();
      } else if (++watchdogMisses >= 2 && unavailableReason == null) {
        // Two checks in a row: a watch being re-established after a normal timeout is not an outage.
        // An outage the informer already reported keeps its more precise reason.
        unavailable("watch on NodeSchedulingPlan " + nodeName + " is down");
      }
    }
  }

  private void unavailable(String reason) {
    synchronized (deliveryLock) {
      if (!reason.equals(unavailableReason)) {
        unavailableReason = reason;
        call(() -> listener.planSourceUnavailable(reason));
      }
    }
  }

  /** Said once the source first works (a node without a plan yet hears nothing else) and after each outage. */
  private void available() {
    if (unavailableReason != null || !announced) {
      unavailableReason = null;
      announced = true;
      call(listener::planSourceAvailable);
    }
  }

  /** A listener that throws must not break the informer's event thread. */
  private static void call(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      System.err.println("JTHULHU warning: plan listener failed: " + e);
    }
  }

  private static String reason(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = error.getMessage();
    return root == error || message == null ? String.valueOf(error) : message + " (" + root + ")";
  }
}
