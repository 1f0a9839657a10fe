package io.jthulhu.crd;

import io.fabric8.generator.annotation.Required;

/** A pod of the plan that the daemon could not apply, and why. */
public class UnresolvedPod {
  @Required
  private String podUid;
  @Required
  private String reason;
  private String message;

  public UnresolvedPod() {
  }

  public UnresolvedPod(String podUid, String reason, String message) {
    this.podUid = podUid;
    this.reason = reason;
    this.message = message;
  }

  public String getPodUid() {
    return podUid;
  }

  public void setPodUid(String podUid) {
    this.podUid = podUid;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
