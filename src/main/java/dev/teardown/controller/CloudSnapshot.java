package dev.teardown.controller;

import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import java.util.Map;

/**
 * What the cloud looked like during this reconcile: every instance of the spec, and (loaded on
 * first use, once) every recorded data disk. Steps decide from this value only (crossplane's
 * ExternalObservation); the phase is a cursor, not the truth. A disk that was not observed is never
 * reported as gone.
 */
public final class CloudSnapshot {

  /** Loads the recorded disks when a step first needs them. */
  public interface DiskLoader {
    Map<String, CloudDisk> load() throws CloudException;
  }

  private final Map<String, CloudInstance> instances;
  private final DiskLoader loader;
  private Map<String, CloudDisk> disks;

  public CloudSnapshot(Map<String, CloudInstance> instances, DiskLoader loader) {
    this.instances = instances;
    this.loader = loader;
  }

  public static CloudSnapshot of(
      Map<String, CloudInstance> instances, Map<String, CloudDisk> disks) {
    return new CloudSnapshot(instances, () -> disks);
  }

  public CloudInstance instance(String id) {
    CloudInstance i = instances.get(id);
    if (i == null) {
      throw new IllegalStateException("instance " + id + " was not observed");
    }
    return i;
  }

  public Map<String, CloudInstance> instances() {
    return instances;
  }

  /**
   * Loads the disks now; steps that read disks call this first so a failed observation aborts
   * before any call.
   */
  public void loadDisks() throws CloudException {
    if (disks == null) {
      disks = loader.load();
    }
  }

  public CloudDisk disk(String id) {
    if (disks == null) {
      throw new IllegalStateException("disks were not observed; call loadDisks() first");
    }
    CloudDisk d = disks.get(id);
    if (d == null) {
      throw new IllegalStateException("disk " + id + " was not observed");
    }
    return d;
  }
}
