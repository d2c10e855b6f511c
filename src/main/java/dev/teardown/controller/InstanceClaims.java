package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.RecordedPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * One owner per instance: an instance id, per provider and region, is claimed by every live
 * deletion naming it (not Done or Failed, not a dry run), and only one of them, the owner, may call
 * the cloud for it. The claims are an index over the informer's cache of deletions ({@link
 * #INDEX}), so finding them is a lookup, never a list call. The owner is the same for everyone who
 * looks: a deletion that has already sent a mutating call first, then the earliest
 * creationTimestamp, then the smallest uid.
 */
final class InstanceClaims {
  /** Name of the index over the primary cache: key provider/region/instanceId. */
  static final String INDEX = "teardown.dev/instance-claims";

  private InstanceClaims() {}

  /** The index function: the keys a deletion claims (none when it is finished or a dry run). */
  static List<String> keys(CloudInstanceDeletion r) {
    if (r.getSpec() == null
        || r.getSpec().dryRunEnabled()
        || r.getStatus() != null
            && r.getStatus().getPhase() != null
            && r.getStatus().getPhase().isTerminal()) {
      return List.of();
    }
    RecordedPlan p = r.getStatus() == null ? null : r.getStatus().getRecorded();
    String provider =
        p != null
            ? p.getProvider()
            : r.getSpec().getProvider() == null ? "" : r.getSpec().getProvider().value();
    String region = p != null ? p.getRegion() : r.getSpec().getRegion();
    List<String> ids = p != null ? p.getInstanceIds() : r.getSpec().getInstanceIds();
    List<String> keys = new ArrayList<>();
    if (ids != null) {
      ids.forEach(id -> keys.add(key(provider, region, id)));
    }
    return keys;
  }

  static String key(String provider, String region, String id) {
    return provider + "/" + region + "/" + id;
  }

  /** Who wins a claim: the one already acting, then the earliest created, then the smallest uid. */
  static final Comparator<CloudInstanceDeletion> ORDER =
      Comparator.comparing(
              (CloudInstanceDeletion r) ->
                  r.getStatus() != null && r.getStatus().getIntent() != null ? 0 : 1)
          .thenComparing(r -> String.valueOf(r.getMetadata().getCreationTimestamp()))
          .thenComparing(r -> String.valueOf(r.getMetadata().getUid()));

  /** One instance of this deletion that another live deletion owns. */
  record Claim(String instanceId, CloudInstanceDeletion owner) {
    String message() {
      return "Instance "
          + instanceId
          + " is claimed by CloudInstanceDeletion "
          + owner.getMetadata().getNamespace()
          + "/"
          + owner.getMetadata().getName()
          + " (created "
          + owner.getMetadata().getCreationTimestamp()
          + "); this deletion makes no cloud call until that one is finished or gone.";
    }
  }

  /**
   * The first instance of {@code r} owned by another live deletion, or null. {@code byKey} looks a
   * key up in the index.
   */
  static Claim firstClaimedByAnother(
      CloudInstanceDeletion r, Function<String, List<CloudInstanceDeletion>> byKey) {
    List<String> keys = keys(r);
    for (String k : keys) {
      CloudInstanceDeletion owner = r;
      for (CloudInstanceDeletion o : byKey.apply(k)) {
        if (o.getMetadata().getUid() != null
            && o.getMetadata().getUid().equals(r.getMetadata().getUid())) {
          continue;
        }
        if (ORDER.compare(o, owner) < 0) {
          owner = o;
        }
      }
      if (owner != r) {
        return new Claim(k.substring(k.lastIndexOf('/') + 1), owner);
      }
    }
    return null;
  }

  /**
   * The intent sink of a pass that starts at Pending: before its first write (the one before the
   * first mutating call, which also carries the plan just recorded) it looks at the claims again,
   * since another deletion of the same instances may have reached the cache while this pass
   * observed the cloud. If one now owns an instance, the pass ends there, with no write and no
   * call, as after a conflicting write: the next pass starts again and shows the claim.
   */
  static DeletionContext.IntentSink checkedBeforeTheFirstCall(
      CloudInstanceDeletion r,
      Function<String, List<CloudInstanceDeletion>> byKey,
      DeletionContext.IntentSink sink) {
    boolean[] checked = {false};
    return st -> {
      if (!checked[0]) {
        checked[0] = true;
        Claim c = firstClaimedByAnother(r, byKey);
        if (c != null) {
          throw new StatusWriter.Conflict(
              "claimed while the plan was being recorded: " + c.message());
        }
      }
      sink.written(st);
    };
  }
}
