package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** Whether a node's kernel has sched_ext (CONFIG_SCHED_CLASS_EXT). */
public enum KernelSupport {
  /** Also what a value written by a newer daemon reads as. */
  @JsonEnumDefaultValue
  Unknown,
  Supported,
  Unsupported
}
