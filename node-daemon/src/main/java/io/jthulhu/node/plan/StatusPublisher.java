package io.jthulhu.node.plan;

import io.jthulhu.crd.NodeSchedulingPlanStatus;

/** Reports the node's status; implementations never block the caller on the network and never throw. */
public interface StatusPublisher extends AutoCloseable {
  /** Queues this status; a newer call replaces a status not yet written. The object is copied. */
  void publish(NodeSchedulingPlanStatus status);

  /** False for a node without the Kubernetes API: nobody reads its status, so none is built. */
  default boolean publishes() {
    return true;
  }

  @Override
  void close();
}
