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

/**
 * The phase machine on the embedded API against a fake cloud: the flow and its invariants, without
 * HTTP.
 */
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
    assertThat(r.getStatus().getInstances().get(0).getDataDisks())
        .extracting(d -> d.getAction())
        .containsExactly(DiskAction.ReleaseWithInstance, DiskAction.Release);
    assertThat(cloud.mutations("terminate")).isEqualTo(1);
    assertThat(cloud.mutations("release")).isEqualTo(1);
    assertThat(r.getStatus().getConditions())
        .anySatisfy(
            c -> {
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
    assertThat(r.getStatus().getInstances().get(0).getOutcome())
        .isEqualTo(InstanceOutcome.Recycled);
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
    h.create(
        "purge",
        Provider.TENCENTCLOUD,
        "ap-beijing",
        "keys",
        List.of("ins-cccccccc"),
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
    h.create(
        "dry",
        Provider.TENCENTCLOUD,
        "ap-beijing",
        "keys",
        List.of("ins-dddddddd"),
        s -> s.setDryRun(true));
    CloudInstanceDeletion r = h.awaitPhase("dry", Phase.Done, WAIT);
    assertThat(cloud.calls).isEmpty();
    assertThat(r.getStatus().getPlan()).anyMatch(p -> p.startsWith("terminate [ins-dddddddd]"));
  }

  @Test
  void retainTouchesNoDisk() {
    cloud.instance("ins-eeeeeeee", false);
    cloud.disk("disk-e1", "ins-eeeeeeee", false, false);
    h.create(
        "retain",
        Provider.TENCENTCLOUD,
        "ap-beijing",
        "keys",
        List.of("ins-eeeeeeee"),
        s -> s.setDataDisks(DataDiskPolicy.Retain));
    h.awaitPhase("retain", Phase.Done, WAIT);
    assertThat(cloud.mutations("detach")).isZero();
    assertThat(cloud.mutations("release")).isZero();
    assertThat(cloud.disks).containsKey("disk-e1");
  }

  @Test
  void retryableErrorsRequeueAndTerminalErrorsFail() {
    cloud.instance("ins-ffffffff", false);
    cloud.failNextMutation =
        CloudError.of(
            ErrorKind.THROTTLED, "RequestLimitExceeded", "slow down", "r-1", "TerminateInstances");
    h.create(
        "retry", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-ffffffff"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("retry", Phase.Done, WAIT);
    assertThat(r.getStatus().getLastError().getCode()).isEqualTo("RequestLimitExceeded");

    cloud.instance("ins-gggggggg", false);
    cloud.failNextMutation =
        CloudError.of(
            ErrorKind.TERMINAL,
            "UnsupportedOperation.InstancesProtected",
            "protected",
            "r-2",
            "TerminateInstances");
    h.create(
        "terminal", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-gggggggg"), s -> {});
    CloudInstanceDeletion f = h.awaitPhase("terminal", Phase.Failed, WAIT);
    assertThat(f.getStatus().getInstances().get(0).getError().getCode())
        .isEqualTo("UnsupportedOperation.InstancesProtected");
  }

  @Test
  void missingSecretIsAConditionThatRecoversWhenTheSecretAppears() {
    cloud.instance("ins-hhhhhhhh", false);
    h.create(
        "nosecret", Provider.TENCENTCLOUD, "ap-beijing", "later", List.of("ins-hhhhhhhh"), s -> {});
    await()
        .atMost(WAIT)
        .until(
            () -> {
              var r = h.get("nosecret");
              return r.getStatus() != null
                  && r.getStatus().getConditions().stream()
                      .anyMatch(
                          c ->
                              c.getType().equals("CredentialsAvailable")
                                  && c.getStatus().equals("False")
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
    h.create(
        "midway", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-iiiiiiii"), s -> {});
    await()
        .atMost(WAIT)
        .until(
            () ->
                cloud.mutations("release! busy") > 0 && h.phase("midway") == Phase.ReleasingDisks);

    h.delete("midway");
    await()
        .atMost(WAIT)
        .until(
            () -> {
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
    h.create(
        "early",
        Provider.TENCENTCLOUD,
        "ap-beijing",
        "no-such-secret",
        List.of("ins-jjjjjjjj"),
        s -> {});
    await().atMost(WAIT).until(() -> h.phase("early") == Phase.Pending);
    h.delete("early");
    await().atMost(WAIT).until(() -> h.get("early") == null);
    assertThat(cloud.calls).isEmpty();
    assertThat(cloud.instances).containsKey("ins-jjjjjjjj");
  }

  @Test
  void credentialsRefusedMidWayWaitWithConditionAndResumeWhenFixed() {
    cloud.instance("ins-kkkkkkkk", false);
    cloud.disk("disk-k1", "ins-kkkkkkkk", false, false);
    cloud.releasesBusy = true;
    h.create(
        "rotated", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-kkkkkkkk"), s -> {});
    await().atMost(WAIT).until(() -> cloud.mutations("release! busy") > 0);
    cloud.failEveryCall =
        CloudError.of(
            ErrorKind.CREDENTIALS,
            "AuthFailure.SecretIdNotFound",
            "key disabled",
            "r-9",
            "DescribeInstances");
    cloud.releasesBusy = false;
    await()
        .atMost(WAIT)
        .until(
            () -> {
              var c = condition(h.get("rotated"), "CredentialsValid");
              return c != null && c.getStatus().equals("False");
            });
    CloudInstanceDeletion r = h.get("rotated");
    assertThat(r.getStatus().getPhase())
        .as("never terminal after Pending")
        .isNotIn(Phase.Failed, Phase.Done);
    assertThat(condition(r, "CredentialsValid").getMessage())
        .contains("Secret " + h.ns() + "/keys")
        .contains("secretId, secretKey")
        .doesNotContain("AKIDfake");
    assertThat(r.getStatus().getLastError().getKind()).isEqualTo("Credentials");
    assertThat(cloud.disks).as("the billed disk is still there, waiting").containsKey("disk-k1");
    await()
        .atMost(WAIT)
        .until(
            () ->
                h.events("rotated").stream()
                    .anyMatch(e -> e.getReason().equals("AuthFailureSecretIdNotFound")));

    cloud.failEveryCall = null; // the Secret was fixed
    r = h.awaitPhase("rotated", Phase.Done, Duration.ofSeconds(30));
    assertThat(cloud.disks).isEmpty();
    assertThat(condition(r, "CredentialsValid").getStatus()).isEqualTo("True");
  }

  @Test
  void aSpecChangedAfterThePlanStopsEveryCallUntilTheResourceIsDeletedWhichFinishesThePlan() {
    // a real server refuses the spec change (CEL self == oldSelf); the mock lets it through, as a
    // server without CEL
    h.close();
    h = OperatorHarness.startOnMock(Map.of(), new ProviderRegistry(List.of(cloud)));
    h.secret("keys", Map.of("secretId", "AKIDfake", "secretKey", "fake"));
    cloud.instance("ins-llllllll", false);
    cloud.disk("disk-l1", "ins-llllllll", false, false);
    cloud.releasesBusy = true;
    h.create(
        "drift", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-llllllll"), s -> {});
    await().atMost(WAIT).until(() -> cloud.mutations("release! busy") > 0);
    h.patchSpec("drift", "{\"region\":\"ap-shanghai\"}");
    await()
        .atMost(WAIT)
        .until(
            () -> {
              var c = condition(h.get("drift"), "SpecChanged");
              return c != null && c.getStatus().equals("True");
            });
    CloudInstanceDeletion r = h.get("drift");
    assertThat(condition(r, "Stalled").getStatus()).isEqualTo("True");
    assertThat(condition(r, "Reconciling").getStatus()).isEqualTo("False");
    assertThat(r.getStatus().getMessage())
        .contains("spec.region", "Delete this CloudInstanceDeletion");
    long callsAtDrift = cloud.calls.size();
    cloud.releasesBusy = false;
    // no mutating call while the spec does not match (bounded look: several poll intervals)
    await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(3))
        .until(() -> cloud.calls.size() == callsAtDrift);
    assertThat(cloud.disks).containsKey("disk-l1");

    h.client()
        .resources(CloudInstanceDeletion.class)
        .inNamespace(h.ns())
        .withName("drift")
        .delete();
    await().atMost(WAIT).until(() -> h.get("drift") == null);
    assertThat(cloud.disks)
        .as("deleting the resource finished the recorded plan in its recorded region")
        .isEmpty();
  }

  @Test
  void aMissingSecretEmitsAWarningEventNamingIt() {
    cloud.instance("ins-mmmmmmmm", false);
    h.create(
        "nosecret2",
        Provider.TENCENTCLOUD,
        "ap-beijing",
        "absent",
        List.of("ins-mmmmmmmm"),
        s -> {});
    await()
        .atMost(WAIT)
        .until(
            () ->
                h.events("nosecret2").stream()
                    .anyMatch(
                        e ->
                            e.getReason().equals("SecretNotFound")
                                && e.getMessage().contains("absent")));
    // the event may be posted a moment before the status carrying the condition is written
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(condition(h.get("nosecret2"), "CredentialsValid"))
                    .isNotNull()
                    .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False")));
  }

  @Test
  void kstatusConditionsSitBesideReady() {
    cloud.instance("ins-nnnnnnnn", false);
    h.create(
        "kstatus", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-nnnnnnnn"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("kstatus", Phase.Done, WAIT);
    assertThat(condition(r, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(r, "Reconciling").getStatus()).isEqualTo("False");
    assertThat(condition(r, "Stalled").getStatus()).isEqualTo("False");
    assertThat(condition(r, "SpecChanged").getStatus()).isEqualTo("False");
    assertThat(r.getStatus().getRecorded().getSpecHash()).startsWith("sha256:");
    assertThat(r.getStatus().getRecorded().getGeneration())
        .isEqualTo(r.getMetadata().getGeneration());
    assertThat(r.getStatus().getIntent().getAction()).isEqualTo("TerminateInstances");
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(
      CloudInstanceDeletion r, String type) {
    return r == null || r.getStatus() == null
        ? null
        : Conditions.get(r.getStatus().getConditions(), type);
  }

  /** Every version of one deletion's object the API server announced, in order. */
  private List<CloudInstanceDeletion> watchVersions(String name) {
    List<CloudInstanceDeletion> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    watches.add(
        h.client()
            .resources(CloudInstanceDeletion.class)
            .inNamespace(h.ns())
            .withField("metadata.name", name)
            .watch(
                new io.fabric8.kubernetes.client.Watcher<>() {
                  @Override
                  public void eventReceived(Action action, CloudInstanceDeletion r) {
                    if (action == Action.MODIFIED) {
                      seen.add(r);
                    }
                  }

                  @Override
                  public void onClose(io.fabric8.kubernetes.client.WatcherException e) {}
                }));
    return seen;
  }

  private final List<io.fabric8.kubernetes.client.Watch> watches = new java.util.ArrayList<>();

  @AfterEach
  void closeWatches() {
    watches.forEach(io.fabric8.kubernetes.client.Watch::close);
  }

  @Test
  void theAnswersOfAPassGoWithTheNextWriteAndNoneIsLost() {
    cloud.instance("ins-wwwwwwww", false);
    cloud.disk("disk-w1", "ins-wwwwwwww", false, true);
    cloud.disk("disk-w2", "ins-wwwwwwww", false, false);
    List<CloudInstanceDeletion> versions = watchVersions("writes");
    h.create(
        "writes", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-wwwwwwww"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("writes", Phase.Done, WAIT);
    await()
        .atMost(WAIT)
        .until(
            () ->
                versions.stream()
                    .anyMatch(
                        v -> v.getStatus() != null && v.getStatus().getPhase() == Phase.Done));

    // each call's intent was on the server before the call, and its answer is in the end status
    List<dev.teardown.api.v1alpha1.CallIntent> intents =
        versions.stream()
            .filter(v -> v.getStatus() != null && v.getStatus().getIntent() != null)
            .map(v -> v.getStatus().getIntent())
            .toList();
    assertThat(intents)
        .anySatisfy(
            v -> {
              assertThat(v.getAction()).isEqualTo("TerminateInstances");
              assertThat(v.getResult()).isNull();
            });
    assertThat(intents)
        .anySatisfy(
            v -> {
              assertThat(v.getAction()).isEqualTo("ReleaseDisks");
              assertThat(v.getResult()).isNull();
            });
    assertThat(r.getStatus().getInstances().get(0).getTerminateCalls()).isEqualTo(1);
    assertThat(r.getStatus().getInstances().get(0).getDataDisks().get(1).getReleaseCalls())
        .isEqualTo(1);
    assertThat(r.getStatus().getIntent().getResult()).isEqualTo("Accepted");
    // the finalizer, an intent before each of the two calls (the first carries the plan), the
    // end: no write of its own for an answer (that made 6)
    assertThat(versions).hasSizeLessThanOrEqualTo(4);
    assertThat(cloud.mutations("terminate")).isEqualTo(1);
    assertThat(cloud.mutations("release")).isEqualTo(1);
  }

  @Test
  void answersKeptOverAnAnnotationAndDroppedSafelyWhenSomeoneElseWritesStatus() {
    // an annotation between two passes: the answers kept in memory are still used
    cloud.instance("ins-xxxxxxxx", false);
    cloud.afterTerminate = () -> h.annotate("annotated", "example.com/touched", "yes");
    h.create(
        "annotated", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-xxxxxxxx"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("annotated", Phase.Done, WAIT);
    assertThat(r.getStatus().getInstances().get(0).getTerminateCalls()).isEqualTo(1);

    // a status written by someone else: what was kept is dropped and the next pass reads the
    // server's status (an intent without its answer, as after a crash), observes, and goes on
    cloud.instance("ins-yyyyyyyy", false);
    cloud.disk("disk-y1", "ins-yyyyyyyy", false, false);
    cloud.afterTerminate =
        () ->
            h.client()
                .resources(CloudInstanceDeletion.class)
                .inNamespace(h.ns())
                .withName("foreign")
                .subresource("status")
                .patch(
                    io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                    "{\"status\":{\"message\":\"written by hand\"}}");
    h.create(
        "foreign", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-yyyyyyyy"), s -> {});
    CloudInstanceDeletion f = h.awaitPhase("foreign", Phase.Done, WAIT);
    assertThat(cloud.instances).isEmpty();
    assertThat(cloud.disks).isEmpty();
    assertThat(f.getStatus().getDisks()).isEqualTo("1/1");
    assertThat(cloud.terminateRequests)
        .as("one terminate per instance: the dropped answer did not make a second")
        .hasSize(2);
  }
}
