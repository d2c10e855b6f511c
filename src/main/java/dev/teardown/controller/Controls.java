package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A person's controls, as annotations on the deletion: {@code teardown.dev/paused: "true"} (no
 * cloud call until it is removed), {@code teardown.dev/abandon: "true"} (let the finalizer go on a
 * deletion that cannot finish, with a Warning event listing what is left) and {@code
 * teardown.dev/retry: <new value>} (re-run a Failed deletion from its recorded plan, once per
 * value).
 */
public final class Controls {
  public static final String PREFIX = "teardown.dev/";
  public static final String PAUSED = PREFIX + "paused";
  public static final String ABANDON = PREFIX + "abandon";
  public static final String RETRY = PREFIX + "retry";

  private Controls() {}

  static boolean paused(CloudInstanceDeletion r) {
    return "true".equalsIgnoreCase(annotation(r, PAUSED));
  }

  static boolean abandon(CloudInstanceDeletion r) {
    return "true".equalsIgnoreCase(annotation(r, ABANDON));
  }

  /** The retry value, or null when absent or blank. */
  static String retry(CloudInstanceDeletion r) {
    String v = annotation(r, RETRY);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static String annotation(CloudInstanceDeletion r, String key) {
    Map<String, String> a = r.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  /**
   * What a deletion leaves in the cloud, from its status: one line per instance and disk not
   * observed gone.
   */
  static List<String> leftInCloud(CloudInstanceDeletion r) {
    List<String> left = new ArrayList<>();
    if (r.getStatus() == null) {
      return left;
    }
    for (InstanceStatus is : r.getStatus().getInstances()) {
      InstanceOutcome o = is.getOutcome();
      if (o != InstanceOutcome.Gone && o != InstanceOutcome.NotFound) {
        left.add(
            "instance "
                + is.getId()
                + " ("
                + (o == InstanceOutcome.Recycled
                    ? "in the recycle bin"
                    : "last seen " + is.getState())
                + ")");
      }
      for (DiskStatus ds : is.getDataDisks()) {
        if (!ds.isReleased()) {
          left.add(
              "disk "
                  + ds.getId()
                  + " of "
                  + is.getId()
                  + (ds.getAction() == DiskAction.Retain
                      ? " (kept)"
                      : " (last seen " + ds.getState() + ")"));
        }
      }
    }
    if (r.getStatus().getInstances().isEmpty() && r.getSpec() != null) {
      r.getSpec().getInstanceIds().forEach(id -> left.add("instance " + id + " (never observed)"));
    }
    return left;
  }

  /**
   * Which updates of a deletion trigger a reconcile: a new generation (the spec), deletion, a
   * finalizer change, or a change of a teardown.dev/ annotation. Annotations do not bump the
   * generation, so JOSDK's generation-aware filtering would drop them; the controller turns that
   * off and uses this filter instead, which still drops the operator's own status writes.
   */
  public static final class UpdateFilter implements OnUpdateFilter<CloudInstanceDeletion> {
    @Override
    public boolean accept(CloudInstanceDeletion now, CloudInstanceDeletion before) {
      if (before == null
          || !Objects.equals(
              now.getMetadata().getGeneration(), before.getMetadata().getGeneration())) {
        return true;
      }
      if (now.isMarkedForDeletion() != before.isMarkedForDeletion()) {
        return true;
      }
      if (!Objects.equals(
          now.getMetadata().getFinalizers(), before.getMetadata().getFinalizers())) {
        return true;
      }
      return !controls(now).equals(controls(before));
    }

    private static Map<String, String> controls(CloudInstanceDeletion r) {
      Map<String, String> out = new TreeMap<>();
      Map<String, String> a = r.getMetadata().getAnnotations();
      if (a != null) {
        a.forEach(
            (k, v) -> {
              if (k.startsWith(PREFIX)) {
                out.put(k, v);
              }
            });
      }
      return out;
    }
  }
}
