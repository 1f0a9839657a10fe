package io.jthulhu.crd;

/** The node's sched_ext state, as in /sys/kernel/sched_ext/state, plus Unknown before the daemon has read it. */
public enum SchedulerState {
  Unknown,
  Disabled,
  Enabling,
  Enabled,
  Disabling
}
