package io.jthulhu.crd;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The resolved scheduling plan of one node: cluster-scoped, named after the node and owned by the
 * Node object so that it is garbage-collected with it. The operator writes {@code spec}; the node's
 * daemon writes {@code status}.
 */
@Group(SchedulingPolicy.GROUP)
@Version(SchedulingPolicy.VERSION)
@Kind("NodeSchedulingPlan")
@Plural("nodeschedulingplans")
@ShortNames({"nsplan"})
@AdditionalPrinterColumn(name = "Pods", jsonPath = ".status.appliedPods", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Scheduler", jsonPath = ".status.schedulerState", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Kernel", jsonPath = ".status.kernelSupport", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class NodeSchedulingPlan extends CustomResource<NodeSchedulingPlanSpec, NodeSchedulingPlanStatus> {
  @Override
  @JsonDeserialize(using = StatusReader.class)
  public void setStatus(NodeSchedulingPlanStatus status) {
    super.setStatus(status);
  }

  /** An unreadable daemon report reads as no report yet (the node counts as pending) until the daemon writes again. */
  public static final class StatusReader extends LenientDeserializer<NodeSchedulingPlanStatus> {
    public StatusReader() {
      super(NodeSchedulingPlanStatus.class, "status");
    }

    @Override
    protected NodeSchedulingPlanStatus unreadable(UnreadableField problem) {
      return null;
    }
  }
}
