package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.config.OperatorConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Everything one reconcile of one deletion works with: the resource, a working copy of its status, the cloud. */
public final class DeletionContext {
  private final CloudInstanceDeletion resource;
  private final CloudInstanceDeletionStatus status;
  private final CloudProvider provider;
  private final CloudSnapshot snapshot;
  private final OperatorConfig config;
  private final Clock clock;
  private final List<String> warnings = new ArrayList<>();

  public DeletionContext(
      CloudInstanceDeletion resource,
      CloudInstanceDeletionStatus status,
      CloudProvider provider,
      CloudSnapshot snapshot,
      OperatorConfig config,
      Clock clock) {
    this.resource = resource;
    this.status = status;
    this.provider = provider;
    this.snapshot = snapshot;
    this.config = config;
    this.clock = clock;
  }

  public CloudInstanceDeletion resource() {
    return resource;
  }

  public CloudInstanceDeletionSpec spec() {
    return resource.getSpec();
  }

  public CloudInstanceDeletionStatus status() {
    return status;
  }

  public CloudProvider provider() {
    return provider;
  }

  public Capabilities caps() {
    return provider.capabilities();
  }

  public CloudSnapshot snapshot() {
    return snapshot;
  }

  public OperatorConfig config() {
    return config;
  }

  public Instant now() {
    return clock.instant();
  }

  /** Warnings for events (e.g. a disk left alone because it is attached elsewhere). */
  public List<String> warnings() {
    return warnings;
  }

  public void warn(String w) {
    warnings.add(w);
  }

  public List<InstanceStatus> instances() {
    return status.getInstances();
  }

  public Stream<DiskStatus> disks() {
    return status.getInstances().stream().flatMap(i -> i.getDataDisks().stream());
  }

  public ErrorInfo errorInfo(CloudError e) {
    return new ErrorInfo(e.code(), e.message(), e.requestId(), e.kind().display(), e.action(), now().toString());
  }

  /**
   * An idempotency token for one batch attempt: stable across retries of the same attempt (a lost response, a
   * restart), different for the next attempt. At most 64 ASCII characters, as Volcengine's ClientToken requires.
   */
  public String token(String action, List<String> ids, int attempt) {
    String uid = resource.getMetadata().getUid() == null ? resource.getMetadata().getName() : resource.getMetadata().getUid();
    String seed = uid + "|" + action + "|" + String.join(",", ids.stream().sorted().toList()) + "|" + attempt;
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
      return "td-" + HexFormat.of().formatHex(h).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
