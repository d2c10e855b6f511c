package dev.teardown.cloud;

import java.util.List;
import java.util.Map;

/**
 * The port every cloud adapter implements. Like crossplane's ExternalClient: no method blocks
 * waiting for the cloud to reach a state (the reconciler requeues instead), every method is safe to
 * call again, and deleting something already gone is not an error. Methods are batch-shaped: they
 * take lists of ids and answer per id. A whole-call failure throws {@link CloudException} with a
 * classified {@link CloudError}.
 */
public interface CloudProvider extends AutoCloseable {

  Capabilities capabilities();

  /**
   * Observes instances; every requested id is in the answer, with {@link InstancePhase#GONE} when
   * it no longer exists.
   */
  Map<String, CloudInstance> describeInstances(List<String> instanceIds) throws CloudException;

  /**
   * Data disks (never system disks) attached to the instances now, per instance id (empty list when
   * none).
   */
  Map<String, List<CloudDisk>> describeDataDisks(List<String> instanceIds) throws CloudException;

  /**
   * Observes disks by id; every requested id is in the answer, with {@link DiskPhase#GONE} when it
   * no longer exists.
   */
  Map<String, CloudDisk> describeDisks(List<String> diskIds) throws CloudException;

  /**
   * Decides before any mutating call whether the cloud will release this disk together with its
   * instance, given whether the terminate call asks it to ({@code releaseDataDisks}). Pure; no
   * call.
   */
  boolean releasedWithInstance(CloudInstance instance, CloudDisk disk, boolean releaseDataDisks);

  /** Stops running instances (only called when {@link Capabilities#stopBeforeTerminate()}). */
  BatchResult stopInstances(List<CloudInstance> instances) throws CloudException;

  BatchResult terminateInstances(TerminateRequest request) throws CloudException;

  /** Detaches disks, all attached to the same instance. */
  BatchResult detachDisks(String instanceId, List<String> diskIds) throws CloudException;

  BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException;

  /**
   * False when the cloud cannot look up an unattached disk by id (CompShare lists disks only under
   * their instance): a disk it reports gone is then released once more with an idempotent call
   * before it counts as released, instead of being trusted as gone.
   */
  default boolean canObserveUnattachedDisks() {
    return true;
  }

  /**
   * Client-side request budget per port operation (describeInstances, describeDisks, stopInstances,
   * terminateInstances, detachDisks, releaseDisks), shared by every deletion using the same keys
   * and region. Below the cloud's documented limits, leaving room for the adapter's own look-ups;
   * empty = no client-side limit.
   */
  default Map<String, Integer> requestsPerSecond() {
    return Map.of();
  }

  @Override
  default void close() {}
}
