package dev.teardown.api.v1alpha1;

import java.util.EnumSet;
import java.util.Set;

/**
 * The cursor of a deletion. It says which step runs next, never what the cloud looks like: every
 * reconcile observes the cloud first. Allowed transitions:
 *
 * <ul>
 *   <li>{@code Pending → Terminating | Done (dry run, or nothing left) | Failed}
 *   <li>{@code Terminating → AwaitingShutdown | Failed}
 *   <li>{@code AwaitingShutdown → Detaching | Terminating (instance came back terminable) | Failed}
 *   <li>{@code Detaching → ReleasingDisks | Failed}
 *   <li>{@code ReleasingDisks → Done | Detaching (a disk is attached again) | Failed}
 *   <li>{@code Done, Failed}: terminal
 * </ul>
 */
public enum Phase {
  Pending,
  Terminating,
  AwaitingShutdown,
  Detaching,
  ReleasingDisks,
  Done,
  Failed;

  public boolean isTerminal() {
    return this == Done || this == Failed;
  }

  public Set<Phase> allowedNext() {
    return switch (this) {
      case Pending -> EnumSet.of(Terminating, Done, Failed);
      case Terminating -> EnumSet.of(AwaitingShutdown, Failed);
      case AwaitingShutdown -> EnumSet.of(Detaching, Terminating, Failed);
      case Detaching -> EnumSet.of(ReleasingDisks, Failed);
      case ReleasingDisks -> EnumSet.of(Done, Detaching, Failed);
      case Done, Failed -> EnumSet.noneOf(Phase.class);
    };
  }

  public boolean canMoveTo(Phase next) {
    return next == this || allowedNext().contains(next);
  }
}
