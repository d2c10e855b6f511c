package dev.teardown.sim;

import java.net.URI;

/**
 * One running cloud simulator: its endpoint, its call ledger and its world, for tests, sandbox and
 * benchmark.
 */
public interface CloudSimulator extends AutoCloseable {

  /** The provider name as in spec.provider. */
  String provider();

  /** Base URI the operator's endpoint override should point at. */
  URI endpoint();

  CallLedger ledger();

  FaultInjector faults();

  /** The world and its counters as plain data (maps/lists), for GET /_sim/state and reports. */
  Object state();

  /**
   * Data disks that should be gone (their instance was deleted by Teardown, they were to be
   * released) but still exist.
   */
  default java.util.List<String> orphanedDisks(java.util.Collection<String> deletedInstanceIds) {
    return java.util.List.of();
  }

  /**
   * Someone outside Teardown attaches a new data disk ({@code disk.instanceId}, required) to an
   * instance now, as the cloud's console would: a world change for tests, not a call, so the ledger
   * does not show it. Refused with an exception when the instance does not exist or the cloud would
   * not attach a disk to it in its current state.
   */
  default void attachNewDisk(WorldSpec.Disk disk) {
    throw new UnsupportedOperationException(provider() + " simulator cannot attach disks");
  }

  @Override
  void close();
}
