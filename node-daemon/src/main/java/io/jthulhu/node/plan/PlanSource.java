package io.jthulhu.node.plan;

/** Where the node's plan comes from: the API server, or a file in standalone mode. */
public interface PlanSource extends AutoCloseable {
  /** Starts delivering to the listener; never blocks on the source and never throws because it is unreachable. */
  void start(PlanListener listener);

  /** Short form for logs and status.planSource, e.g. "kubernetes" or "file:/etc/jthulhu/plan.yaml". */
  String describe();

  @Override
  void close();
}
