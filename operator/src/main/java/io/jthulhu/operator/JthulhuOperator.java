package io.jthulhu.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
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
      Duration renewDeadline, Duration retryPeriod, boolean exitOnLostLease) {
    public static final String LEASE_NAME = "jthulhu-operator";

    /** Kubernetes' usual timings; a replica that loses its Lease exits so that it restarts clean. */
    public static Settings standard(String namespace, String identity, boolean leaderElection) {
      return new Settings(namespace, identity, leaderElection, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
          LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
          true);
    }
  }

  private final Operator operator;
  private volatile boolean stopping;

  public JthulhuOperator(KubernetesClient client, MeterRegistry registry, Settings settings) {
    ResolutionMetrics metrics = new ResolutionMetrics(registry);
    operator = new Operator(overrider -> {
      overrider.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
          .withUseSSAToPatchPrimaryResource(false)
          .withStopOnInformerErrorDuringStartup(true);
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
    operator.register(new NodePlanReconciler(metrics));
    operator.register(new SchedulingPolicyReconciler(new PolicyStatusRecorder(client, settings.namespace()), metrics));
  }

  public void start() {
    operator.start();
  }

  public Operator operator() {
    return operator;
  }

  @Override
  public void close() {
    stopping = true;
    operator.stop();
  }
}
