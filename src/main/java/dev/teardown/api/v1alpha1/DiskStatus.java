package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One data disk recorded before the first mutating call, and what has become of it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DiskStatus {
  @JsonPropertyDescription("Disk id in the cloud.")
  private String id;

  @JsonPropertyDescription(
      "Last observed state as the cloud names it (ATTACHED, UNATTACHED, TORECYCLE, available...), or Gone.")
  private String state;

  @JsonPropertyDescription(
      "Charge type as the cloud names it (PREPAID, POSTPAID_BY_HOUR, PostPaid...).")
  private String chargeType;

  @JsonPropertyDescription("The plan for this disk: ReleaseWithInstance, Release or Retain.")
  private DiskAction action;

  @JsonPropertyDescription(
      "True once the disk is gone or in the recycle bin (or retained as asked).")
  private Boolean released;

  @JsonPropertyDescription("Release calls made for this disk.")
  private Integer releaseCalls;

  @JsonPropertyDescription("When the last accepted release call was made (RFC 3339).")
  private String lastReleaseAt;

  @JsonPropertyDescription(
      "True once a purge of the recycled disk was requested (recycleBin: Purge).")
  private Boolean purgeRequested;

  @JsonPropertyDescription("The cloud's error for this disk, if it has one.")
  private ErrorInfo error;

  public DiskStatus() {}

  public DiskStatus(String id, String state, String chargeType, DiskAction action) {
    this.id = id;
    this.state = state;
    this.chargeType = chargeType;
    this.action = action;
    this.released = false;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getState() {
    return state;
  }

  public void setState(String state) {
    this.state = state;
  }

  public String getChargeType() {
    return chargeType;
  }

  public void setChargeType(String chargeType) {
    this.chargeType = chargeType;
  }

  public DiskAction getAction() {
    return action;
  }

  public void setAction(DiskAction action) {
    this.action = action;
  }

  public Boolean getReleased() {
    return released;
  }

  public void setReleased(Boolean released) {
    this.released = released;
  }

  public boolean isReleased() {
    return Boolean.TRUE.equals(released);
  }

  public Integer getReleaseCalls() {
    return releaseCalls;
  }

  public void setReleaseCalls(Integer releaseCalls) {
    this.releaseCalls = releaseCalls;
  }

  public int releaseCallCount() {
    return releaseCalls == null ? 0 : releaseCalls;
  }

  public String getLastReleaseAt() {
    return lastReleaseAt;
  }

  public void setLastReleaseAt(String lastReleaseAt) {
    this.lastReleaseAt = lastReleaseAt;
  }

  public Boolean getPurgeRequested() {
    return purgeRequested;
  }

  public void setPurgeRequested(Boolean purgeRequested) {
    this.purgeRequested = purgeRequested;
  }

  public boolean purgeWasRequested() {
    return Boolean.TRUE.equals(purgeRequested);
  }

  public ErrorInfo getError() {
    return error;
  }

  public void setError(ErrorInfo error) {
    this.error = error;
  }
}
