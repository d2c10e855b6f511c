package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A stored status this build cannot read (for example a phase a newer operator wrote before a
 * downgrade). It keeps what was stored, which is written back unchanged, and says why it could not
 * be read; the reconciler acts on nothing for such a resource, since its cursor into the cloud work
 * is unknown.
 */
public final class UnreadableStatus extends CloudInstanceDeletionStatus {
  @JsonIgnore private final transient JsonNode stored;
  @JsonIgnore private final transient String problem;

  UnreadableStatus(JsonNode stored, String problem) {
    this.stored = stored;
    this.problem = problem;
  }

  public JsonNode stored() {
    return stored;
  }

  public String problem() {
    return problem;
  }
}
