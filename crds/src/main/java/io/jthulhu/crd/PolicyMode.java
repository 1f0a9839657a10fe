package io.jthulhu.crd;

/** Whether a policy is applied on the nodes or only resolved and reported. */
public enum PolicyMode {
  Enforce,
  Audit
}
