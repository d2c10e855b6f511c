package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What Teardown has recorded and observed; written by one writer, once per reconcile, only when it
 * changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CloudInstanceDeletionStatus {
  @JsonPropertyDescription(
      "Pending, Terminating, AwaitingShutdown, Detaching, ReleasingDisks, Done or Failed. A cursor: every reconcile"
          + " observes the cloud first.")
  private Phase phase;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "One line saying what is happening now or what went wrong and what to do.")
  private String message;

  @JsonPropertyDescription(
      "Ready, Reconciling, Stalled, Progressing, Failed, CredentialsAvailable, CredentialsValid"
          + " and SpecChanged conditions, in the Kubernetes shape.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "Every instance and its data disks, recorded before the first mutating call.")
  private List<InstanceStatus> instances = new ArrayList<>();

  @JsonPropertyDescription("Number of instances in spec (printer column).")
  private Integer instanceCount;

  @JsonPropertyDescription(
      "Data disks released so far over data disks to release, e.g. 2/3, plus how many are kept by dataDisks: Retain (printer column).")
  private String disks;

  @JsonPropertyDescription("Dry run: every call that would be made, in order. Nothing was changed.")
  private List<String> plan;

  @JsonPropertyDescription("The last error a cloud returned.")
  private ErrorInfo lastError;

  @JsonPropertyDescription("Consecutive retryable errors; resets after a successful step.")
  private Integer retries;

  @JsonPropertyDescription(
      "Earliest time of the next attempt after a retryable error or a cloud-side lock (RFC 3339).")
  private String nextAttemptAt;

  @JsonPropertyDescription(
      "The plan recorded at Pending (spec fingerprint, generation, region, zone, ids); later passes"
          + " act on it, and a spec that no longer matches it stops the deletion with condition SpecChanged.")
  private RecordedPlan recorded;

  @JsonPropertyDescription(
      "The last mutating call, written before it was made (action, ids, idempotency token, time).")
  private CallIntent intent;

  @JsonPropertyDescription(
      "Start of the current run of consecutive retryable errors (RFC 3339); Stalled after"
          + " TEARDOWN_STALL_AFTER.")
  private String retryingSince;

  @JsonPropertyDescription(
      "What this deletion leaves in the cloud and what to do about each item (Failed only).")
  private List<String> leftInCloud;

  @JsonPropertyDescription("When Teardown first acted on this resource (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("When the deletion reached Done or Failed (RFC 3339).")
  private String completedAt;

  @JsonPropertyDescription(
      "The last value of the annotation teardown.dev/retry that re-ran this deletion; the same"
          + " value never re-runs it twice.")
  private String lastRetry;

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<InstanceStatus> getInstances() {
    return instances;
  }

  public void setInstances(List<InstanceStatus> instances) {
    this.instances = instances;
  }

  public Integer getInstanceCount() {
    return instanceCount;
  }

  public void setInstanceCount(Integer instanceCount) {
    this.instanceCount = instanceCount;
  }

  public String getDisks() {
    return disks;
  }

  public void setDisks(String disks) {
    this.disks = disks;
  }

  public List<String> getPlan() {
    return plan;
  }

  public void setPlan(List<String> plan) {
    this.plan = plan;
  }

  public ErrorInfo getLastError() {
    return lastError;
  }

  public void setLastError(ErrorInfo lastError) {
    this.lastError = lastError;
  }

  public Integer getRetries() {
    return retries;
  }

  public void setRetries(Integer retries) {
    this.retries = retries;
  }

  public String getNextAttemptAt() {
    return nextAttemptAt;
  }

  public void setNextAttemptAt(String nextAttemptAt) {
    this.nextAttemptAt = nextAttemptAt;
  }

  public RecordedPlan getRecorded() {
    return recorded;
  }

  public void setRecorded(RecordedPlan recorded) {
    this.recorded = recorded;
  }

  public CallIntent getIntent() {
    return intent;
  }

  public void setIntent(CallIntent intent) {
    this.intent = intent;
  }

  public String getRetryingSince() {
    return retryingSince;
  }

  public void setRetryingSince(String retryingSince) {
    this.retryingSince = retryingSince;
  }

  public List<String> getLeftInCloud() {
    return leftInCloud;
  }

  public void setLeftInCloud(List<String> leftInCloud) {
    this.leftInCloud = leftInCloud;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getCompletedAt() {
    return completedAt;
  }

  public void setCompletedAt(String completedAt) {
    this.completedAt = completedAt;
  }

  public String getLastRetry() {
    return lastRetry;
  }

  public void setLastRetry(String lastRetry) {
    this.lastRetry = lastRetry;
  }
}
