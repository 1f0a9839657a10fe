package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** A pod of the plan that the daemon could not apply, and why. */
@JsonIgnoreProperties(ignoreUnknown = true)
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

  @Override
  public boolean equals(Object o) {
    return o instanceof UnresolvedPod other
        && Objects.equals(podUid, other.podUid)
        && Objects.equals(reason, other.reason)
        && Objects.equals(message, other.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(podUid, reason, message);
  }

  @Override
  public String toString() {
    return podUid + ":" + reason + (message == null ? "" : "(" + message + ")");
  }
}
