package io.jthulhu.crd;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Cluster-wide CPU scheduling policy. Cluster-scoped on purpose (it does not implement {@link Namespaced}):
 * boosting pods is a cluster-admin power, so namespaced tenants cannot out-prioritise each other.
 */
@Group(SchedulingPolicy.GROUP)
@Version(SchedulingPolicy.VERSION)
@Kind("SchedulingPolicy")
@Plural("schedulingpolicies")
@ShortNames({"spol"})
// kubectl shows these in this order (CrdGeneration keeps it): what the policy asks, then how far it got, then Age
@AdditionalPrinterColumn(name = "Class", jsonPath = ".spec.scheduling.class", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Priority", jsonPath = ".spec.priority", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Matched", jsonPath = ".status.matchedPods", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Nodes Applied", jsonPath = ".status.nodes.applied", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Nodes Targeted", jsonPath = ".status.nodes.targeted", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class SchedulingPolicy extends CustomResource<SchedulingPolicySpec, SchedulingPolicyStatus> {
  public static final String GROUP = "jthulhu.io";
  public static final String VERSION = "v1alpha1";

  @Override
  @JsonDeserialize(using = SpecReader.class)
  public void setSpec(SchedulingPolicySpec spec) {
    super.setSpec(spec);
  }

  @Override
  @JsonDeserialize(using = StatusReader.class)
  public void setStatus(SchedulingPolicyStatus status) {
    super.setStatus(status);
  }

  /** An unreadable spec becomes a spec that says why, so that the policy is reported invalid and skipped. */
  public static final class SpecReader extends LenientDeserializer<SchedulingPolicySpec> {
    public SpecReader() {
      super(SchedulingPolicySpec.class, "spec");
    }

    @Override
    protected SchedulingPolicySpec unreadable(UnreadableField problem) {
      return SchedulingPolicySpec.unreadable(problem);
    }
  }

  /** An unreadable status reads as none: the operator computes the whole status again and replaces it. */
  public static final class StatusReader extends LenientDeserializer<SchedulingPolicyStatus> {
    public StatusReader() {
      super(SchedulingPolicyStatus.class, "status");
    }

    @Override
    protected SchedulingPolicyStatus unreadable(UnreadableField problem) {
      return null;
    }
  }
}
