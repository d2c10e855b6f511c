package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A request to delete cloud instances together with their data disks. Status stays null until the
 * operator first writes it (no initStatus override), which keeps JSON-patch status writes working
 * on every API server.
 */
@Group("teardown.dev")
@Version("v1alpha1")
// Spelled out, the names are not derived again by fabric8's Pluralize (regular expressions) each
// time an object is constructed: every watch event, read and write.
@Plural("cloudinstancedeletions")
@Singular("cloudinstancedeletion")
@ShortNames({"cid", "cidel"})
@Categories("teardown")
@JsonClassDescription(
    "A request to delete cloud instances (Tencent Cloud, UCloud CompShare, Volcengine) together with"
        + " every data disk attached to them. The spec is immutable; status.phase walks Pending, Terminating,"
        + " AwaitingShutdown, Detaching, ReleasingDisks to Done, or Failed with a reason. Done means the cloud was"
        + " observed without them.")
// kubectl shows the columns in this order (the build's CrdPostProcessor keeps it; the generator
// alone sorts them
// by JSON path). Reason and Message appear with -o wide.
@AdditionalPrinterColumn(
    name = "Provider",
    jsonPath = ".spec.provider",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Instances",
    jsonPath = ".status.instanceCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Disks",
    jsonPath = ".status.disks",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Message",
    jsonPath = ".status.message",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
public class CloudInstanceDeletion
    extends CustomResource<CloudInstanceDeletionSpec, CloudInstanceDeletionStatus>
    implements Namespaced {

  /**
   * Overridden only to mark spec required in the schema: without it a resource with no spec passes
   * admission.
   */
  @Override
  @Required
  @JsonPropertyDescription(
      "What to delete, where, with which keys and how. Immutable once created: to change it,"
          + " delete this resource and create a new one.")
  @JsonSerialize(using = TolerantSpecSerializer.class)
  public CloudInstanceDeletionSpec getSpec() {
    return super.getSpec();
  }

  /** Overridden to document status in the schema and to write it back as stored when unreadable. */
  @Override
  @JsonSerialize(using = TolerantStatusDeserializer.Writer.class)
  @JsonPropertyDescription(
      "What Teardown recorded and observed: phase, conditions, every instance and data disk,"
          + " the last cloud error. Written only by the operator.")
  public CloudInstanceDeletionStatus getStatus() {
    return super.getStatus();
  }

  /**
   * Read tolerantly: no stored spec, however malformed, can stop the informer (see
   * TolerantSpecDeserializer).
   */
  @Override
  @JsonDeserialize(using = TolerantSpecDeserializer.class)
  public void setSpec(CloudInstanceDeletionSpec spec) {
    super.setSpec(spec);
  }

  /** Read tolerantly: no stored status can stop the informer (see TolerantStatusDeserializer). */
  @Override
  @JsonDeserialize(using = TolerantStatusDeserializer.class)
  public void setStatus(CloudInstanceDeletionStatus status) {
    super.setStatus(status);
  }
}
