package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudException;
import dev.teardown.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the steps on a {@link DeletionContext} against a {@link FakeCloud}, pass by pass, the way
 * {@link StepRunner} does, with a clock the test moves. No Kubernetes: the status copy is the
 * state; intents are recorded with the number of cloud calls made when each was written.
 */
final class StepDriver {
  /** A clock tests move by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  /**
   * An intent as it was written, how many cloud calls had been made by then, and the whole status
   * that write carried (what survives a crash right after it).
   */
  record WrittenIntent(
      String action,
      List<String> ids,
      String token,
      int callsBefore,
      CloudInstanceDeletionStatus written) {}

  /** The fake cloud, or null when the driver runs against a real adapter. */
  final FakeCloud cloud;

  /** What the steps call: the fake cloud, or a real adapter (against a simulator). */
  final dev.teardown.cloud.CloudProvider provider;

  final ManualClock clock = new ManualClock();
  final OperatorConfig config =
      OperatorConfig.defaults()
          .withTimings(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(2));
  final CloudInstanceDeletion resource = new CloudInstanceDeletion();
  CloudInstanceDeletionStatus status = new CloudInstanceDeletionStatus();
  final List<WrittenIntent> intents = new ArrayList<>();
  final List<DeletionContext.Warning> warnings = new ArrayList<>();
  StepResult last;

  StepDriver(FakeCloud cloud, List<String> ids, Consumer<CloudInstanceDeletionSpec> adjust) {
    this(cloud, cloud, ids, adjust);
  }

  /** Against a real adapter (a simulator's); intents record -1 as the calls made before them. */
  StepDriver(
      dev.teardown.cloud.CloudProvider provider,
      List<String> ids,
      Consumer<CloudInstanceDeletionSpec> adjust) {
    this(null, provider, ids, adjust);
  }

  private StepDriver(
      FakeCloud cloud,
      dev.teardown.cloud.CloudProvider provider,
      List<String> ids,
      Consumer<CloudInstanceDeletionSpec> adjust) {
    this.cloud = cloud;
    this.provider = provider;
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(Provider.TENCENTCLOUD);
    s.setRegion("ap-beijing");
    s.setInstanceIds(List.copyOf(ids));
    s.setCredentialsSecretRef(new SecretReference("keys"));
    adjust.accept(s);
    resource.setSpec(s);
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName("d")
            .withNamespace("default")
            .withUid("uid-1")
            .withGeneration(1L)
            .withResourceVersion("1")
            .build());
    status.setPhase(Phase.Pending);
  }

  /**
   * One pass: observe, then steps until one acts, waits or ends (from Pending straight on, as
   * StepRunner does).
   */
  StepResult pass() throws CloudException {
    CloudInstanceDeletionSpec spec =
        status.getRecorded() == null
            ? resource.getSpec()
            : SpecFingerprint.specOf(
                status.getRecorded(), resource.getSpec().getCredentialsSecretRef());
    CloudSnapshot snapshot =
        new CloudSnapshot(
            StepRunner.observeInstances(provider, spec, status),
            () -> {
              List<String> diskIds =
                  status.getInstances().stream()
                      .flatMap(i -> i.getDataDisks().stream())
                      .map(d -> d.getId())
                      .toList();
              return diskIds.isEmpty()
                  ? Map.<String, CloudDisk>of()
                  : provider.describeDisks(diskIds);
            });
    DeletionContext ctx =
        new DeletionContext(
            resource,
            spec,
            status,
            provider,
            snapshot,
            config,
            clock,
            st -> {
              intents.add(
                  new WrittenIntent(
                      st.getIntent().getAction(),
                      st.getIntent().getIds(),
                      st.getIntent().getToken(),
                      cloud == null ? -1 : cloud.calls.size(),
                      Serialization.clone(st)));
            });
    try {
      last = StepRunner.walk(ctx, entered -> {});
      return last;
    } finally {
      warnings.addAll(ctx.warnings());
    }
  }

  /**
   * A pass whose retryable cloud error is swallowed (the reconciler would back off); returns the
   * error or null.
   */
  CloudException passIgnoringErrors() {
    try {
      pass();
      return null;
    } catch (CloudException e) {
      return e;
    }
  }

  /**
   * Passes until the phase is terminal, moving the clock by {@code step} between passes; bounded.
   */
  Phase runToEnd(Duration step, int maxPasses) throws CloudException {
    for (int i = 0; i < maxPasses && !status.getPhase().isTerminal(); i++) {
      pass();
      clock.advance(step);
    }
    return status.getPhase();
  }

  InstanceStatus instance(String id) {
    return status.getInstances().stream()
        .filter(i -> i.getId().equals(id))
        .findFirst()
        .orElseThrow();
  }
}
