package dev.teardown.testing;

import dev.teardown.api.v1alpha1.Provider;
import java.util.Set;

/**
 * What each simulated cloud calls things: its states, charge types, id prefixes and the actions
 * that describe, stop, terminate, detach and release. Tests say "running, prepaid, terminate" and
 * this table says it in the cloud's words.
 */
public record CloudNames(
    Provider provider,
    String running,
    String stopped,
    String prepaid,
    String postpaid,
    String diskPrepaid,
    String diskPostpaid,
    String instancePrefix,
    String diskPrefix,
    String describe,
    String stop,
    String terminate,
    String detach,
    String releaseDisk,
    Set<String> mutating) {

  public static final CloudNames TENCENT =
      new CloudNames(
          Provider.TENCENTCLOUD,
          "RUNNING",
          "STOPPED",
          "PREPAID",
          "POSTPAID_BY_HOUR",
          "PREPAID",
          "POSTPAID_BY_HOUR",
          "ins-",
          "disk-",
          "DescribeInstances",
          null,
          "TerminateInstances",
          "DetachDisks",
          "TerminateDisks",
          Set.of("TerminateInstances", "DetachDisks", "TerminateDisks"));

  public static final CloudNames COMPSHARE =
      new CloudNames(
          Provider.UCLOUD_COMPSHARE,
          "Running",
          "Stopped",
          "Month",
          "Postpay",
          null,
          null,
          "uhost-",
          "bsm-",
          "DescribeCompShareInstance",
          "StopCompShareInstance",
          "TerminateCompShareInstance",
          "DetachCompshareDisk",
          "DeleteCompshareDisk",
          Set.of(
              "StopCompShareInstance",
              "TerminateCompShareInstance",
              "DetachCompshareDisk",
              "DeleteCompshareDisk"));

  public static final CloudNames VOLCENGINE =
      new CloudNames(
          Provider.VOLCENGINE,
          "RUNNING",
          "STOPPED",
          "PrePaid",
          "PostPaid",
          "PrePaid",
          "PostPaid",
          "i-",
          "vol-",
          "DescribeInstances",
          null,
          "DeleteInstances",
          "DetachVolume",
          "DeleteVolume",
          Set.of("DeleteInstances", "DetachVolume", "DeleteVolume"));

  public static CloudNames of(Provider p) {
    return switch (p) {
      case TENCENTCLOUD -> TENCENT;
      case UCLOUD_COMPSHARE -> COMPSHARE;
      case VOLCENGINE -> VOLCENGINE;
    };
  }

  /** By provider value (spec.provider, {@code CloudSimulator.provider()}). */
  public static CloudNames of(String providerValue) {
    return of(Provider.fromValue(providerValue));
  }

  /** Instance id {@code n} of a fleet tagged {@code tag}, in the cloud's id style. */
  public String instanceId(String tag, int n) {
    return instancePrefix + String.format("%s%04d", tag, n);
  }

  /** Data disk {@code k} of an instance, in the cloud's id style. */
  public String diskId(String instanceId, int k) {
    return diskPrefix + instanceId.substring(instanceId.indexOf('-') + 1) + k;
  }
}
