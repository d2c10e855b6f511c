package dev.teardown.cloud;

import java.util.List;
import java.util.Map;

/**
 * One terminate call over instances of the same charge type.
 *
 * @param releaseDataDisks release the data disks together with the instances where the cloud can
 *     (Tencent ReleasePrepaidDataDisks, CompShare ReleaseUDisk)
 * @param releaseAddress release the public address where the cloud can (Tencent ReleaseAddress)
 * @param purge a second, irreversible terminate of instances already in the recycle bin
 * @param idempotencyToken stable per (resource, batch): a retried or restarted call is never a
 *     second deletion (Volcengine ClientToken)
 * @param observed the caller's observation of these instances, made in the same pass that decided
 *     to terminate them (state, charge type); empty when the caller has none. An adapter that would
 *     otherwise look again before the call (Tencent: a second terminate of an instance in the
 *     recycle bin destroys it) may decide from it instead when it covers every id. A merged call
 *     built from several requests carries none, so the adapter looks itself.
 */
public record TerminateRequest(
    List<String> instanceIds,
    boolean releaseDataDisks,
    boolean releaseAddress,
    boolean purge,
    String idempotencyToken,
    Map<String, CloudInstance> observed) {

  public TerminateRequest {
    observed = observed == null ? Map.of() : Map.copyOf(observed);
  }

  /** Without an observation: the adapter looks itself where it needs to. */
  public TerminateRequest(
      List<String> instanceIds,
      boolean releaseDataDisks,
      boolean releaseAddress,
      boolean purge,
      String idempotencyToken) {
    this(instanceIds, releaseDataDisks, releaseAddress, purge, idempotencyToken, Map.of());
  }

  /** The observation of every id, or null when it does not cover them all. */
  public Map<String, CloudInstance> observedAll(List<String> ids) {
    return ids.stream().allMatch(observed::containsKey) ? observed : null;
  }

  /** The members' observations together, for a call merged from several requests. */
  public static Map<String, CloudInstance> observedOf(List<TerminateRequest> members) {
    Map<String, CloudInstance> out = new java.util.HashMap<>();
    members.forEach(m -> out.putAll(m.observed()));
    return out;
  }
}
