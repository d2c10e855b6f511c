package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A request to delete cloud instances together with their data disks. Status stays null until the operator first
 * writes it (no initStatus override), which keeps JSON-patch status writes working on every API server.
 */
@Group("teardown.dev")
@Version("v1alpha1")
@ShortNames({"cid", "cidel"})
@AdditionalPrinterColumn(name = "Provider", jsonPath = ".spec.provider", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Instances", jsonPath = ".status.instanceCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Disks", jsonPath = ".status.disks", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CloudInstanceDeletion extends CustomResource<CloudInstanceDeletionSpec, CloudInstanceDeletionStatus>
    implements Namespaced {

  /** Overridden only to mark spec required in the schema: without it a resource with no spec passes admission. */
  @Override
  @Required
  @JsonSerialize(using = TolerantSpecSerializer.class)
  public CloudInstanceDeletionSpec getSpec() {
    return super.getSpec();
  }

  /** Read tolerantly: no stored spec, however malformed, can stop the informer (see TolerantSpecDeserializer). */
  @Override
  @JsonDeserialize(using = TolerantSpecDeserializer.class)
  public void setSpec(CloudInstanceDeletionSpec spec) {
    super.setSpec(spec);
  }

  @Override
  @JsonSerialize(using = TolerantStatusDeserializer.Writer.class)
  public CloudInstanceDeletionStatus getStatus() {
    return super.getStatus();
  }

  /** Read tolerantly: no stored status can stop the informer (see TolerantStatusDeserializer). */
  @Override
  @JsonDeserialize(using = TolerantStatusDeserializer.class)
  public void setStatus(CloudInstanceDeletionStatus status) {
    super.setStatus(status);
  }
}
