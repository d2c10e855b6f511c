package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** One instance as recorded before the first mutating call, and what has become of it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceStatus {
  @JsonPropertyDescription("Instance id in the cloud.")
  private String id;

  @JsonPropertyDescription(
      "The instance's name as observed when the plan was recorded (if the cloud shows one).")
  private String name;

  @JsonPropertyDescription(
      "Last observed state as the cloud names it (RUNNING, SHUTDOWN, Stopped...), or Gone.")
  private String state;

  @JsonPropertyDescription(
      "Charge type as the cloud names it (PREPAID, POSTPAID_BY_HOUR, Dynamic, PostPaid...).")
  private String chargeType;

  @JsonPropertyDescription(
      "Where this instance stands: Pending, Stopping, Terminating, Recycled, Gone, NotFound or Failed.")
  private InstanceOutcome outcome;

  @JsonPropertyDescription(
      "Terminate calls made for this instance (a second one on a recycled Tencent instance purges it).")
  private Integer terminateCalls;

  @JsonPropertyDescription(
      "True once a purge of the recycled instance was requested (recycleBin: Purge).")
  private Boolean purgeRequested;

  @JsonPropertyDescription("When the last accepted terminate call was made (RFC 3339).")
  private String lastTerminateAt;

  @JsonPropertyDescription(
      "Data disks attached when the deletion started, recorded before any mutating call.")
  private List<DiskStatus> dataDisks = new ArrayList<>();

  @JsonPropertyDescription("The cloud's error for this instance, if it has one.")
  private ErrorInfo error;

  public InstanceStatus() {}

  public InstanceStatus(String id) {
    this.id = id;
    this.outcome = InstanceOutcome.Pending;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
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

  public InstanceOutcome getOutcome() {
    return outcome;
  }

  public void setOutcome(InstanceOutcome outcome) {
    this.outcome = outcome;
  }

  public Integer getTerminateCalls() {
    return terminateCalls;
  }

  public void setTerminateCalls(Integer terminateCalls) {
    this.terminateCalls = terminateCalls;
  }

  public int terminateCallCount() {
    return terminateCalls == null ? 0 : terminateCalls;
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

  public String getLastTerminateAt() {
    return lastTerminateAt;
  }

  public void setLastTerminateAt(String lastTerminateAt) {
    this.lastTerminateAt = lastTerminateAt;
  }

  public List<DiskStatus> getDataDisks() {
    return dataDisks;
  }

  public void setDataDisks(List<DiskStatus> dataDisks) {
    this.dataDisks = dataDisks;
  }

  public ErrorInfo getError() {
    return error;
  }

  public void setError(ErrorInfo error) {
    this.error = error;
  }
}
