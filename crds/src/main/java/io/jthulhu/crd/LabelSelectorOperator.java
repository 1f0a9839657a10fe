package io.jthulhu.crd;

/**
 * The operators a LabelSelector requirement may use. Only referenced by a schema swap so that the
 * generated CRD rejects unknown operators instead of accepting any string.
 */
public enum LabelSelectorOperator {
  In,
  NotIn,
  Exists,
  DoesNotExist
}
