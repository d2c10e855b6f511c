package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * What Pending recorded before the first mutating call; later passes act on this, never on a
 * changed spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RecordedPlan {
  @JsonPropertyDescription(
      "SHA-256 fingerprint of the spec fields that decide what is deleted (all but credentialsSecretRef).")
  private String specHash;

  @JsonPropertyDescription("The metadata.generation the plan was recorded from.")
  private Long generation;

  @JsonPropertyDescription("Provider the plan was recorded for.")
  private String provider;

  @JsonPropertyDescription("Region the instances were observed in.")
  private String region;

  @JsonPropertyDescription("Zone the instances were observed in, if any.")
  private String zone;

  @JsonPropertyDescription("The instance ids of the plan; later passes observe these.")
  private List<String> instanceIds = new ArrayList<>();

  @JsonPropertyDescription("Release or Retain, as recorded.")
  private String dataDisks;

  @JsonPropertyDescription("releaseAddress, as recorded.")
  private Boolean releaseAddress;

  @JsonPropertyDescription("Keep or Purge, as recorded.")
  private String recycleBin;

  @JsonPropertyDescription("Fail or Ignore, as recorded.")
  private String ifNotFound;

  @JsonPropertyDescription("The wrong-target guard, as recorded (absent when the spec has none).")
  private GuardSpec guard;

  @JsonPropertyDescription("When the plan was recorded (RFC 3339).")
  private String recordedAt;

  public RecordedPlan() {}

  public String getSpecHash() {
    return specHash;
  }

  public void setSpecHash(String specHash) {
    this.specHash = specHash;
  }

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }

  public String getProvider() {
    return provider;
  }

  public void setProvider(String provider) {
    this.provider = provider;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public String getZone() {
    return zone;
  }

  public void setZone(String zone) {
    this.zone = zone;
  }

  public List<String> getInstanceIds() {
    return instanceIds;
  }

  public void setInstanceIds(List<String> instanceIds) {
    this.instanceIds = instanceIds;
  }

  public String getDataDisks() {
    return dataDisks;
  }

  public void setDataDisks(String dataDisks) {
    this.dataDisks = dataDisks;
  }

  public Boolean getReleaseAddress() {
    return releaseAddress;
  }

  public void setReleaseAddress(Boolean releaseAddress) {
    this.releaseAddress = releaseAddress;
  }

  public String getRecycleBin() {
    return recycleBin;
  }

  public void setRecycleBin(String recycleBin) {
    this.recycleBin = recycleBin;
  }

  public String getIfNotFound() {
    return ifNotFound;
  }

  public void setIfNotFound(String ifNotFound) {
    this.ifNotFound = ifNotFound;
  }

  public GuardSpec getGuard() {
    return guard;
  }

  public void setGuard(GuardSpec guard) {
    this.guard = guard;
  }

  public String getRecordedAt() {
    return recordedAt;
  }

  public void setRecordedAt(String recordedAt) {
    this.recordedAt = recordedAt;
  }
}
