package io.jthulhu.crd;

/** Whether a node's kernel has sched_ext (CONFIG_SCHED_CLASS_EXT). */
public enum KernelSupport {
  Unknown,
  Supported,
  Unsupported
}
