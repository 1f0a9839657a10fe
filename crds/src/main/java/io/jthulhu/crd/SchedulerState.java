package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** The node's sched_ext state, as in /sys/kernel/sched_ext/state, plus Unknown before the daemon has read it. */
public enum SchedulerState {
  /** Also what a value written by a newer daemon reads as. */
  @JsonEnumDefaultValue
  Unknown,
  Disabled,
  Enabling,
  Enabled,
  Disabling
}
