package dev.teardown.cloud;

import java.util.List;
import java.util.Map;

/**
 * One release call over unattached data disks.
 *
 * @param purge a second call that destroys disks already in the recycle bin
 * @param idempotencyToken stable per (resource, batch) (Volcengine ClientToken)
 * @param observed the caller's observation of these disks, made in the same pass that decided to
 *     release them; empty when the caller has none. An adapter that would otherwise look again
 *     before the call (Tencent: a second TerminateDisks of a disk in the recycle bin destroys it)
 *     may decide from it instead when it covers every id. A merged call carries its members'
 *     observations together, a replay those of its first sending: trust one only where a second
 *     release destroys nothing recoverable (Tencent: pay-as-you-go disks).
 */
public record ReleaseDisksRequest(
    List<String> diskIds, boolean purge, String idempotencyToken, Map<String, CloudDisk> observed) {

  public ReleaseDisksRequest {
    observed = observed == null ? Map.of() : Map.copyOf(observed);
  }

  /** Without an observation: the adapter looks itself where it needs to. */
  public ReleaseDisksRequest(List<String> diskIds, boolean purge, String idempotencyToken) {
    this(diskIds, purge, idempotencyToken, Map.of());
  }

  /** The observation of every id, or null when it does not cover them all. */
  public Map<String, CloudDisk> observedAll(List<String> ids) {
    return ids.stream().allMatch(observed::containsKey) ? observed : null;
  }

  /** The members' observations together, for a call merged from several requests. */
  public static Map<String, CloudDisk> observedOf(List<ReleaseDisksRequest> members) {
    Map<String, CloudDisk> out = new java.util.HashMap<>();
    members.forEach(m -> out.putAll(m.observed()));
    return out;
  }
}
