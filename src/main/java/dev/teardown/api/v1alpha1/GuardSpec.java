package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A wrong-target guard: what every instance must look like before Teardown touches it. Checked at
 * Pending before any mutating call and again right before each terminate; a mismatch ends the
 * deletion Failed (TargetMismatch).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.namePattern) || has(self.tags)",
    message = "guard needs namePattern, tags or both")
public class GuardSpec {
  @Size(min = 1, max = 256)
  @JsonPropertyDescription(
      "A regular expression (Java syntax) that every instance's name, as the cloud shows it, must"
          + " match as a whole, for example ^ci-runner-[0-9]+$. An invalid expression ends the deletion Failed"
          + " (InvalidGuard) before any cloud call.")
  private String namePattern;

  @Size(min = 1, max = 20)
  @ValidationRule(
      value = "self.all(k, size(k) <= 128 && size(self[k]) <= 256)",
      message = "guard tag keys are at most 128 characters and values at most 256")
  @JsonPropertyDescription(
      "Tags (key: value) every instance must carry. Only for clouds whose describe returns"
          + " tags (tencentcloud, volcengine); on ucloud-compshare the deletion ends Failed (TargetMismatch) before"
          + " any mutating call, since the tags cannot be checked.")
  private Map<String, String> tags;

  public GuardSpec() {}

  public GuardSpec(String namePattern, Map<String, String> tags) {
    this.namePattern = namePattern;
    this.tags = tags == null ? null : new LinkedHashMap<>(tags);
  }

  public String getNamePattern() {
    return namePattern;
  }

  public void setNamePattern(String namePattern) {
    this.namePattern = namePattern;
  }

  public Map<String, String> getTags() {
    return tags;
  }

  public void setTags(Map<String, String> tags) {
    this.tags = tags;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GuardSpec g
        && Objects.equals(namePattern, g.namePattern)
        && Objects.equals(tags == null ? Map.of() : tags, g.tags == null ? Map.of() : g.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namePattern, tags == null ? Map.of() : tags);
  }
}
