package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.RecycleBinPolicy;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.it.OperatorHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The phase machine on the embedded API against a fake cloud: the flow and its invariants, without HTTP. */
class PhaseMachineIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private FakeCloud cloud;
  private OperatorHarness h;

  @BeforeEach
  void start() {
    cloud = new FakeCloud();
    h = OperatorHarness.start(Map.of(), new ProviderRegistry(List.of(cloud)));
    h.secret("keys", Map.of("secretId", "AKIDfake", "secretKey", "fake"));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void postpaidInstanceWithTwoDisksEndsDoneWithEveryDiskReleased() {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-1", "ins-aaaaaaaa", false, true);
    cloud.disk("disk-2", "ins-aaaaaaaa", false, false);
    h.create("post", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-aaaaaaaa"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("post", Phase.Done, WAIT);
    assertThat(cloud.instances).isEmpty();
    assertThat(cloud.disks).isEmpty();
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    assertThat(r.getStatus().getInstances().get(0).getDataDisks()).extracting(d -> d.getAction())
        .containsExactly(DiskAction.ReleaseWithInstance, DiskAction.Release);
    assertThat(cloud.mutations("terminate")).isEqualTo(1);
    assertThat(cloud.mutations("release")).isEqualTo(1);
    assertThat(r.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Ready");
      assertThat(c.getStatus()).isEqualTo("True");
    });
  }

  @Test
  void prepaidKeepNeverTerminatesTheRecycledInstanceTwice() {
    cloud.instance("ins-bbbbbbbb", true);
    cloud.disk("disk-p1", "ins-bbbbbbbb", true, false);
    cloud.disk("disk-p2", "ins-bbbbbbbb", false, false);
    h.create("pre", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-bbbbbbbb"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("pre", Phase.Done, WAIT);
    assertThat(r.getStatus().getInstances().get(0).getOutcome()).isEqualTo(InstanceOutcome.Recycled);
    assertThat(cloud.mutations("terminate")).isEqualTo(1);
    assertThat(cloud.mutations("purge")).isZero();
    assertThat(cloud.mutations("detach")).isEqualTo(1);
    assertThat(cloud.disks.get("disk-p1").state()).isEqualTo("TORECYCLE");
    assertThat(cloud.disks).doesNotContainKey("disk-p2");
  }

  @Test
  void purgeDestroysTheRecycledInstanceWithASecondCall() {
    cloud.instance("ins-cccccccc", true);
    cloud.disk("disk-c1", "ins-cccccccc", true, false);
    h.create("purge", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-cccccccc"),
        s -> s.setRecycleBin(RecycleBinPolicy.Purge));
    h.awaitPhase("purge", Phase.Done, WAIT);
    assertThat(cloud.instances).isEmpty();
    assertThat(cloud.disks).isEmpty();
    assertThat(cloud.mutations("purge [")).isEqualTo(1);
  }

  @Test
  void dryRunMakesNoMutatingCallAndWritesThePlan() {
    cloud.instance("ins-dddddddd", false);
    cloud.disk("disk-d1", "ins-dddddddd", false, false);
    h.create("dry", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-dddddddd"), s -> s.setDryRun(true));
    CloudInstanceDeletion r = h.awaitPhase("dry", Phase.Done, WAIT);
    assertThat(cloud.calls).isEmpty();
    assertThat(r.getStatus().getPlan()).anyMatch(p -> p.startsWith("terminate [ins-dddddddd]"));
  }

  @Test
  void retainTouchesNoDisk() {
    cloud.instance("ins-eeeeeeee", false);
    cloud.disk("disk-e1", "ins-eeeeeeee", false, false);
    h.create("retain", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-eeeeeeee"),
        s -> s.setDataDisks(DataDiskPolicy.Retain));
    h.awaitPhase("retain", Phase.Done, WAIT);
    assertThat(cloud.mutations("detach")).isZero();
    assertThat(cloud.mutations("release")).isZero();
    assertThat(cloud.disks).containsKey("disk-e1");
  }

  @Test
  void retryableErrorsRequeueAndTerminalErrorsFail() {
    cloud.instance("ins-ffffffff", false);
    cloud.failNextMutation = CloudError.of(ErrorKind.THROTTLED, "RequestLimitExceeded", "slow down", "r-1", "TerminateInstances");
    h.create("retry", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-ffffffff"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("retry", Phase.Done, WAIT);
    assertThat(r.getStatus().getLastError().getCode()).isEqualTo("RequestLimitExceeded");

    cloud.instance("ins-gggggggg", false);
    cloud.failNextMutation = CloudError.of(ErrorKind.TERMINAL, "UnsupportedOperation.InstancesProtected", "protected", "r-2", "TerminateInstances");
    h.create("terminal", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-gggggggg"), s -> {});
    CloudInstanceDeletion f = h.awaitPhase("terminal", Phase.Failed, WAIT);
    assertThat(f.getStatus().getInstances().get(0).getError().getCode()).isEqualTo("UnsupportedOperation.InstancesProtected");
  }

  @Test
  void missingSecretIsAConditionThatRecoversWhenTheSecretAppears() {
    cloud.instance("ins-hhhhhhhh", false);
    h.create("nosecret", Provider.TENCENTCLOUD, "ap-beijing", "later", List.of("ins-hhhhhhhh"), s -> {});
    await().atMost(WAIT).until(() -> {
      var r = h.get("nosecret");
      return r.getStatus() != null && r.getStatus().getConditions().stream()
          .anyMatch(c -> c.getType().equals("CredentialsAvailable") && c.getStatus().equals("False")
              && c.getReason().equals("SecretNotFound"));
    });
    assertThat(h.phase("nosecret")).isEqualTo(Phase.Pending);
    h.secret("later", Map.of("secretId", "AKIDfake", "secretKey", "fake"));
    h.awaitPhase("nosecret", Phase.Done, Duration.ofSeconds(30));
  }

  @Test
  void deletingTheResourceMidWayFinishesTheDeletionBeforeTheFinalizerGoes() {
    cloud.instance("ins-iiiiiiii", false);
    cloud.disk("disk-i1", "ins-iiiiiiii", false, false);
    cloud.releasesBusy = true;
    h.create("midway", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-iiiiiiii"), s -> {});
    await().atMost(WAIT).until(() -> cloud.mutations("release! busy") > 0 && h.phase("midway") == Phase.ReleasingDisks);

    h.delete("midway");
    await().atMost(WAIT).until(() -> {
      CloudInstanceDeletion r = h.get("midway");
      return r == null || r.getMetadata().getDeletionTimestamp() != null;
    });
    assertThat(h.get("midway")).as("kept by its finalizer while a billed disk is left").isNotNull();
    assertThat(cloud.disks).containsKey("disk-i1");

    cloud.releasesBusy = false;
    await().atMost(WAIT).until(() -> h.get("midway") == null);
    assertThat(cloud.disks).as("the disk was released before the resource went away").isEmpty();
    assertThat(cloud.mutations("release [")).isEqualTo(1);
  }

  @Test
  void deletingTheResourceBeforeAnyMutatingCallRemovesItAtOnce() {
    cloud.instance("ins-jjjjjjjj", false);
    h.create("early", Provider.TENCENTCLOUD, "ap-beijing", "no-such-secret", List.of("ins-jjjjjjjj"), s -> {});
    await().atMost(WAIT).until(() -> h.phase("early") == Phase.Pending);
    h.delete("early");
    await().atMost(WAIT).until(() -> h.get("early") == null);
    assertThat(cloud.calls).isEmpty();
    assertThat(cloud.instances).containsKey("ins-jjjjjjjj");
  }
}
