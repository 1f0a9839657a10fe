package io.jthulhu.node.plan;

import io.jthulhu.crd.NodeSchedulingPlan;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a source tells its listener, and on which threads. */
final class RecordingListener implements PlanListener {
  final List<NodeSchedulingPlan> plans = new CopyOnWriteArrayList<>();
  final List<String> unavailable = new CopyOnWriteArrayList<>();
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<String> threads = new CopyOnWriteArrayList<>();

  @Override
  public void planReceived(NodeSchedulingPlan plan) {
    threads.add(Thread.currentThread().getName());
    plans.add(plan);
    events.add("plan");
  }

  @Override
  public void planSourceUnavailable(String reason) {
    threads.add(Thread.currentThread().getName());
    unavailable.add(reason);
    events.add("unavailable");
  }

  @Override
  public void planSourceAvailable() {
    threads.add(Thread.currentThread().getName());
    events.add("available");
  }

  NodeSchedulingPlan last() {
    return plans.get(plans.size() - 1);
  }
}
