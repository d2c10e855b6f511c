package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** What to delete, where, with which keys, and how far. Immutable once created. */
@ValidationRule(
    value = "self == oldSelf",
    message = "spec is immutable: delete this resource and create a new one")
@ValidationRule(
    value =
        "self.provider != 'tencentcloud' || self.instanceIds.all(i, i.matches('^ins-[a-z0-9]{8}$'))",
    message = "tencentcloud instance ids look like ins-xxxxxxxx (8 lowercase letters or digits)",
    messageExpression =
        "'tencentcloud instance ids look like ins-xxxxxxxx (8 lowercase letters or digits), not: '"
            + " + self.instanceIds.filter(i, !i.matches('^ins-[a-z0-9]{8}$'))[0]",
    fieldPath = ".instanceIds")
@ValidationRule(
    value =
        "self.provider != 'ucloud-compshare' || self.instanceIds.all(i, i.matches('^uhost-[a-z0-9]{4,32}$'))",
    message = "ucloud-compshare instance ids look like uhost-xxxxxxxx",
    messageExpression =
        "'ucloud-compshare instance ids look like uhost-xxxxxxxx, not: '"
            + " + self.instanceIds.filter(i, !i.matches('^uhost-[a-z0-9]{4,32}$'))[0]",
    fieldPath = ".instanceIds")
@ValidationRule(
    value =
        "self.provider != 'volcengine' || self.instanceIds.all(i, i.matches('^i-[a-z0-9]{8,32}$'))",
    message = "volcengine instance ids look like i-xxxxxxxxxxxx",
    messageExpression =
        "'volcengine instance ids look like i-xxxxxxxxxxxx, not: '"
            + " + self.instanceIds.filter(i, !i.matches('^i-[a-z0-9]{8,32}$'))[0]",
    fieldPath = ".instanceIds")
@ValidationRule(
    value = "self.provider != 'ucloud-compshare' || (has(self.zone) && size(self.zone) > 0)",
    message = "zone is required for ucloud-compshare (for example cn-wlcb-01)",
    fieldPath = ".zone",
    reason = "FieldValueRequired")
// region + '-': a bare prefix would let region cn-bj accept zone cn-bj2-01.
@ValidationRule(
    value = "!has(self.zone) || self.zone.startsWith(self.region + '-')",
    message = "zone must lie in the region (a zone name is its region name, a dash and a suffix)",
    fieldPath = ".zone")
@ValidationRule(
    value = "!has(self.recycleBin) || self.recycleBin == 'Keep' || self.provider == 'tencentcloud'",
    message = "recycleBin: Purge is only supported for tencentcloud",
    fieldPath = ".recycleBin",
    reason = "FieldValueForbidden")
public class CloudInstanceDeletionSpec {

  @Required
  @JsonPropertyDescription(
      "Cloud that owns the instances: tencentcloud, ucloud-compshare or volcengine.")
  private Provider provider;

  @Required
  @Pattern("^[a-z]{2,}(-[a-z0-9]+)+$")
  @Size(max = 63) // bounds the CEL cost estimate of the zone rule
  @JsonPropertyDescription(
      "Region of the instances, for example ap-beijing, cn-wlcb or cn-beijing.")
  private String region;

  @Pattern("^[a-z]{2,}(-[a-z0-9]+)+$")
  @Size(max = 63)
  @JsonPropertyDescription(
      "Availability zone. Required by ucloud-compshare (for example cn-wlcb-01); optional otherwise.")
  private String zone;

  @Required
  @Size(min = 1, max = 100)
  @ValidationRule(
      value = "self.all(x, self.exists_one(y, y == x))",
      message = "instanceIds must be unique")
  @JsonPropertyDescription(
      "IDs of the instances to delete (1 to 100), in the provider's own format.")
  private List<@Size(min = 3, max = 64) String> instanceIds = new ArrayList<>();

  @Required
  @JsonPropertyDescription("Secret with the API keys, in the same namespace as this resource.")
  private SecretReference credentialsSecretRef;

  @Default("Release")
  @JsonPropertyDescription(
      "Release (default): every data disk attached to the instances is released too. Retain: data disks are kept.")
  private DataDiskPolicy dataDisks = DataDiskPolicy.Release;

  @Default("false")
  @JsonPropertyDescription(
      "Also release the public or elastic IP address where the cloud supports it (Tencent).")
  private Boolean releaseAddress = false;

  @Default("Keep")
  @JsonPropertyDescription(
      "Tencent prepaid resources go to the recycle bin first. Keep (default): stop there. Purge: destroy them for good"
          + " with a second call, which cannot be undone.")
  private RecycleBinPolicy recycleBin = RecycleBinPolicy.Keep;

  @Default("false")
  @JsonPropertyDescription(
      "Observe the cloud and write the plan of calls to status.plan; change nothing.")
  private Boolean dryRun = false;

  @Default("Fail")
  @JsonPropertyDescription(
      "An instance that does not exist at the first observation (a mistyped id, a wrong region). Fail (default): the"
          + " deletion finishes the instances it found, then ends Failed with reason InstancesNotFound. Ignore: it"
          + " counts as already gone.")
  private NotFoundPolicy ifNotFound = NotFoundPolicy.Fail;

  @JsonPropertyDescription(
      "Wrong-target guard: a name pattern and/or tags every instance must match, checked before any mutating call"
          + " and again right before each terminate. A mismatch ends the deletion Failed (TargetMismatch), listing"
          + " what was observed and what was expected.")
  private GuardSpec guard;

  @JsonIgnore private transient List<String> unknownFields = List.of();

  @JsonIgnore private transient String readProblem;

  /**
   * The spec as stored, kept only when this build could not read all of it; written back unchanged.
   */
  @JsonIgnore private transient JsonNode stored;

  public Provider getProvider() {
    return provider;
  }

  public void setProvider(Provider provider) {
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

  public SecretReference getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretReference credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }

  public DataDiskPolicy getDataDisks() {
    return dataDisks == null ? DataDiskPolicy.Release : dataDisks;
  }

  public void setDataDisks(DataDiskPolicy dataDisks) {
    this.dataDisks = dataDisks;
  }

  public Boolean getReleaseAddress() {
    return releaseAddress;
  }

  public void setReleaseAddress(Boolean releaseAddress) {
    this.releaseAddress = releaseAddress;
  }

  public RecycleBinPolicy getRecycleBin() {
    return recycleBin == null ? RecycleBinPolicy.Keep : recycleBin;
  }

  public void setRecycleBin(RecycleBinPolicy recycleBin) {
    this.recycleBin = recycleBin;
  }

  public Boolean getDryRun() {
    return dryRun;
  }

  public void setDryRun(Boolean dryRun) {
    this.dryRun = dryRun;
  }

  public NotFoundPolicy getIfNotFound() {
    return ifNotFound == null ? NotFoundPolicy.Fail : ifNotFound;
  }

  public void setIfNotFound(NotFoundPolicy ifNotFound) {
    this.ifNotFound = ifNotFound;
  }

  public GuardSpec getGuard() {
    return guard;
  }

  public void setGuard(GuardSpec guard) {
    this.guard = guard;
  }

  /**
   * Top-level spec fields this build does not know, as {@code spec.name}; filled when read, never
   * serialized.
   */
  public List<String> unknownFields() {
    return unknownFields;
  }

  void unknownFields(List<String> fields) {
    this.unknownFields = List.copyOf(fields);
  }

  /**
   * Why the stored spec could not be read (then every other field is empty); null when it was read.
   */
  public String readProblem() {
    return readProblem;
  }

  void readProblem(String problem) {
    this.readProblem = problem;
  }

  JsonNode stored() {
    return stored;
  }

  void stored(JsonNode node) {
    this.stored = node;
  }

  public boolean releaseAddressEnabled() {
    return Boolean.TRUE.equals(releaseAddress);
  }

  public boolean dryRunEnabled() {
    return Boolean.TRUE.equals(dryRun);
  }
}
