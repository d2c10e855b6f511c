package dev.teardown.controller;

import dev.teardown.api.v1alpha1.GuardSpec;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.InstancePhase;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The wrong-target guard (spec.guard): every instance Teardown is about to act on must carry a name
 * matching namePattern and every tag of tags, as the cloud shows them in this pass's describe. A
 * cloud whose describe returns no tags cannot pass a tags guard: that is a mismatch, never a pass.
 */
final class TargetGuard {
  /** Failed reason when an observed instance does not match the guard. */
  static final String REASON_MISMATCH = "TargetMismatch";

  /** Failed reason when spec.guard.namePattern is not a valid regular expression. */
  static final String REASON_INVALID = "InvalidGuard";

  private TargetGuard() {}

  /** Null when the guard is absent or valid; otherwise a message naming the problem. */
  static String invalid(GuardSpec g) {
    if (g == null || g.getNamePattern() == null) {
      return null;
    }
    try {
      Pattern.compile(g.getNamePattern());
      return null;
    } catch (PatternSyntaxException e) {
      return "spec.guard.namePattern is not a valid regular expression ("
          + e.getDescription()
          + " near index "
          + e.getIndex()
          + "). Nothing was changed: delete this CloudInstanceDeletion and create it with a valid"
          + " pattern.";
    }
  }

  /**
   * The mismatches among {@code instances} (gone ones are skipped: nothing will be done to them),
   * one line each with what was observed and what was expected; empty when all match or there is no
   * guard.
   */
  static List<String> mismatches(GuardSpec g, Collection<CloudInstance> instances) {
    List<String> out = new ArrayList<>();
    if (g == null) {
      return out;
    }
    Pattern p = g.getNamePattern() == null ? null : Pattern.compile(g.getNamePattern());
    Map<String, String> want = g.getTags() == null ? Map.of() : new TreeMap<>(g.getTags());
    for (CloudInstance ci : instances) {
      if (ci.phase() == InstancePhase.GONE) {
        continue;
      }
      List<String> why = new ArrayList<>();
      if (p != null && (ci.name() == null || !p.matcher(ci.name()).matches())) {
        why.add(
            "name "
                + (ci.name() == null ? "(none)" : "'" + ci.name() + "'")
                + " does not match namePattern '"
                + g.getNamePattern()
                + "'");
      }
      if (!want.isEmpty()) {
        if (ci.tags() == null) {
          why.add("this cloud's describe returns no tags, so tags " + want + " cannot be checked");
        } else {
          Map<String, String> missing = new TreeMap<>();
          want.forEach(
              (k, v) -> {
                if (!v.equals(ci.tags().get(k))) {
                  missing.put(k, v);
                }
              });
          if (!missing.isEmpty()) {
            why.add("tags " + new TreeMap<>(ci.tags()) + " lack " + missing);
          }
        }
      }
      if (!why.isEmpty()) {
        out.add(ci.id() + ": " + String.join("; ", why));
      }
    }
    return out;
  }

  /** The Failed message for mismatches. */
  static String message(List<String> mismatches, String when) {
    return "Wrong-target guard refused "
        + when
        + ": "
        + String.join(". ", mismatches)
        + ". Nothing was changed for"
        + " these instances. Check spec.instanceIds and spec.region; if the guard is what is wrong, delete this"
        + " CloudInstanceDeletion and create it with the right guard.";
  }
}
