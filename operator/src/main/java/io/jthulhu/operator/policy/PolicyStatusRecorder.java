package io.jthulhu.operator.policy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jthulhu.crd.PolicyConditions;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicyStatus;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes SchedulingPolicy status: only through the status subresource, only when
 * it differs from what is stored, and with a Kubernetes Event for every condition that changes.
 */
public final class PolicyStatusRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyStatusRecorder.class);
  private static final String COMPONENT = "jthulhu-operator";

  private final KubernetesClient client;
  private final String eventNamespace;

  public PolicyStatusRecorder(KubernetesClient client, String eventNamespace) {
    this.client = client;
    this.eventNamespace = eventNamespace;
  }

  public static String now() {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  /** Writes {@code status} if it differs from the stored one; returns whether it wrote. */
  public boolean record(SchedulingPolicy policy, SchedulingPolicyStatus status) {
    SchedulingPolicyStatus previous = policy.getStatus();
    if (status.equals(previous)) {
      return false;
    }
    // Only the leader writes policy status, so no resourceVersion lock: a stale cache must not turn
    // into a 409 and a retry storm. Field by field, so that status fields a newer operator version
    // wrote (and this one does not read) stay.
    List<Map<String, Object>> patch = new ArrayList<>();
    if (previous == null) {
      patch.add(Map.of("op", "add", "path", "/status", "value", Map.of()));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = client.getKubernetesSerialization().convertValue(status, Map.class);
    fields.forEach((field, value) -> patch.add(Map.of("op", "add", "path", "/status/" + field, "value", value)));
    client.resource(policy).subresource("status").patch(PatchContext.of(PatchType.JSON),
        client.getKubernetesSerialization().asJson(patch));
    for (Condition condition : status.getConditions()) {
      Optional<Condition> before = previous == null ? Optional.empty()
          : previous.getConditions().stream().filter(c -> c.getType().equals(condition.getType())).findFirst();
      boolean changed = before.isEmpty() || !Objects.equals(before.get().getStatus(), condition.getStatus())
          || !Objects.equals(before.get().getReason(), condition.getReason());
      if (changed) {
        emit(policy, condition);
      }
    }
    return true;
  }

  private void emit(SchedulingPolicy policy, Condition condition) {
    String timestamp = now();
    var event = new EventBuilder()
        .withNewMetadata().withNamespace(eventNamespace)
        .withName(policy.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8)).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(policy.getApiVersion()).withKind(policy.getKind())
            .withName(policy.getMetadata().getName()).withUid(policy.getMetadata().getUid())
            .withResourceVersion(policy.getMetadata().getResourceVersion()).build())
        .withType(isBad(condition) ? "Warning" : "Normal")
        .withReason(condition.getReason())
        .withMessage(condition.getType() + "=" + condition.getStatus() + ": " + condition.getMessage())
        .withFirstTimestamp(timestamp).withLastTimestamp(timestamp).withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .build();
    try {
      client.v1().events().inNamespace(eventNamespace).resource(event).create();
    } catch (KubernetesClientException e) {
      // Events are best effort: losing one must not fail the status write that already happened.
      LOG.warn("could not record event for policy {}: {}", policy.getMetadata().getName(), e.getMessage());
    }
  }

  private static boolean isBad(Condition condition) {
    boolean isTrue = "True".equals(condition.getStatus());
    return switch (condition.getType()) {
      case PolicyConditions.VALID -> !isTrue;
      case PolicyConditions.CONFLICTING, PolicyConditions.DEGRADED -> isTrue;
      default -> PolicyConditions.REASON_PARTIALLY_APPLIED.equals(condition.getReason());
    };
  }
}
