package io.jthulhu.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.jthulhu.operator.health.InformerHealth;
import io.jthulhu.operator.metrics.ResolutionMetrics;
import io.jthulhu.operator.plan.NodePlanReconciler;
import io.jthulhu.operator.policy.PolicyStatusRecorder;
import io.jthulhu.operator.policy.SchedulingPolicyReconciler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/** The operator: both reconcilers on one JOSDK Operator, with metrics and optional leader election. */
public final class JthulhuOperator implements AutoCloseable {
  /** Where the operator runs: its namespace (Lease and Events), its identity, and whether to elect a leader. */
  public record Settings(String namespace, String identity, boolean leaderElection, Duration leaseDuration,
      Duration renewDeadline, Duration retryPeriod, boolean exitOnLostLease, Duration cacheSyncTimeout) {
    public static final String LEASE_NAME = "jthulhu-operator";
    /** Long enough for the initial list of a large cluster's pods; past it a still-unsynced informer counts as failing. */
    public static final Duration CACHE_SYNC_TIMEOUT = Duration.ofMinutes(2);

    /** Kubernetes' usual timings; a replica that loses its Lease exits so that it restarts clean. */
    public static Settings standard(String namespace, String identity, boolean leaderElection) {
      return new Settings(namespace, identity, leaderElection, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
          LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
          true, CACHE_SYNC_TIMEOUT);
    }
  }

  private static final Duration HEALTH_POLL_INTERVAL = Duration.ofMillis(500);

  private final Operator operator;
  private final InformerHealth informerHealth;
  private final NodePlanReconciler nodePlans;
  private volatile boolean stopping;

  public JthulhuOperator(KubernetesClient client, MeterRegistry registry, Settings settings) {
    ResolutionMetrics metrics = new ResolutionMetrics(registry);
    informerHealth = new InformerHealth(() -> operator().getRuntimeInfo(), registry, settings.cacheSyncTimeout(),
        HEALTH_POLL_INTERVAL);
    // An informer that cannot list or watch retries with back-off and shows in health and metrics; JOSDK's
    // defaults would end the process instead, and a restart meets the same error in its initial list.
    operator = new Operator(overrider -> {
      overrider.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
          .withUseSSAToPatchPrimaryResource(false)
          .withStopOnInformerErrorDuringStartup(false)
          .withCacheSyncTimeout(settings.cacheSyncTimeout())
          .withInformerStoppedHandler(informerHealth::informerStopped);
      if (settings.leaderElection()) {
        // JOSDK's own exit on a lost Lease would also fire when close() gives the Lease up, and System.exit
        // from within a shutdown hook never returns: exit here only for a Lease lost while running.
        LeaderCallbacks callbacks = new LeaderCallbacks(() -> { }, () -> {
          if (settings.exitOnLostLease() && !stopping) {
            System.exit(1);
          }
        }, leader -> { });
        overrider.withLeaderElectionConfiguration(
            new LeaderElectionConfiguration(Settings.LEASE_NAME, settings.namespace(), settings.leaseDuration(),
                settings.renewDeadline(), settings.retryPeriod(), settings.identity(), callbacks, false));
      }
    });
    nodePlans = new NodePlanReconciler(metrics);
    operator.register(nodePlans);
    operator.register(new SchedulingPolicyReconciler(new PolicyStatusRecorder(client, settings.namespace()), metrics));
  }

  public void start() {
    operator.start();
  }

  public Operator operator() {
    return operator;
  }

  public NodePlanReconciler nodePlans() {
    return nodePlans;
  }

  public InformerHealth informerHealth() {
    return informerHealth;
  }

  @Override
  public void close() {
    stopping = true;
    informerHealth.close();
    operator.stop();
  }
}
