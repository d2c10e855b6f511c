package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.CallIntent;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.GuardSpec;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.cloud.CloudInstance;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One pass of the reconciler at a time (no operator loop) for the wrong-target guard, one owner per
 * instance and a person's controls (annotations): what each one lets through and that it makes no
 * cloud call otherwise.
 */
class GuardsAndControlsTest {
  private static final String ID = "ins-aaaaaaaa";
  private final FakeCloud cloud = new FakeCloud();
  private OnePass pass;
  private KubernetesClient client;
  private DeletionReconciler reconciler;

  @BeforeEach
  void start() {
    pass = new OnePass(cloud);
    client = pass.client;
    reconciler = pass.reconciler;
  }

  @AfterEach
  void stop() {
    pass.close();
  }

  private static CloudInstanceDeletion resource(
      String name,
      String uid,
      String created,
      GuardSpec guard,
      CloudInstanceDeletionStatus st,
      Map<String, String> annotations) {
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("default")
            .withUid(uid)
            .withGeneration(1L)
            .withCreationTimestamp(created)
            .withResourceVersion("3")
            .withAnnotations(new HashMap<>(annotations))
            .build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(Provider.TENCENTCLOUD);
    s.setRegion("ap-beijing");
    s.setInstanceIds(List.of(ID));
    s.setCredentialsSecretRef(new SecretReference("keys"));
    s.setGuard(guard);
    r.setSpec(s);
    r.setStatus(st == null ? null : Serialization.clone(st));
    return r;
  }

  private static CloudInstanceDeletion resource(
      GuardSpec guard, CloudInstanceDeletionStatus st, Map<String, String> annotations) {
    return resource("d", "uid-1", "2026-11-29T10:00:00Z", guard, st, annotations);
  }

  private static Condition condition(CloudInstanceDeletionStatus st, String type) {
    return Conditions.get(st.getConditions(), type);
  }

  /**
   * The next terminate is refused with an answer (retryable): the pass that records the plan ends
   * with nothing done, and the terminate comes in a later pass, which is where something can still
   * change between the recording and the terminate.
   */
  private void refuseTheNextTerminate() {
    cloud.refuseNextTerminate();
  }

  /** The status of a pass, its backoff over. */
  private static CloudInstanceDeletionStatus later(CloudInstanceDeletionStatus st) {
    CloudInstanceDeletionStatus c = Serialization.clone(st);
    c.setNextAttemptAt(null);
    return c;
  }

  // ---- guard
  // -----------------------------------------------------------------------------------------------

  @Test
  void aNameThatNoLongerMatchesRightBeforeTheTerminateFailsWithTargetMismatchAndNoCall() {
    cloud.instances.put(
        ID,
        new CloudInstance(
                ID,
                "RUNNING",
                dev.teardown.cloud.InstancePhase.RUNNING,
                "POSTPAID_BY_HOUR",
                false,
                false,
                null,
                false)
            .withName("ci-runner-7")
            .withTags(Map.of("team", "ci")));
    GuardSpec guard = new GuardSpec("^ci-runner-[0-9]+$", Map.of("team", "ci"));
    refuseTheNextTerminate();
    DeletionReconciler.Outcome recorded =
        reconciler.process(resource(guard, null, Map.of()), client, s -> {}, false);
    assertThat(recorded.status().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(recorded.status().getRecorded().getGuard()).isEqualTo(guard);
    assertThat(cloud.calls).containsExactly("terminate!InternalError");

    // someone reuses the id's machine between Pending and the next terminate (renamed, retagged)
    cloud.instances.put(
        ID, cloud.instances.get(ID).withName("prod-db-1").withTags(Map.of("team", "data")));
    DeletionReconciler.Outcome o =
        reconciler.process(
            resource(guard, later(recorded.status()), Map.of()), client, s -> {}, false);
    assertThat(o.status().getPhase()).isEqualTo(Phase.Failed);
    assertThat(condition(o.status(), "Failed").getReason()).isEqualTo("TargetMismatch");
    assertThat(o.status().getMessage())
        .contains("prod-db-1", "^ci-runner-[0-9]+$", "team=data", "team=ci", "TerminateInstances");
    assertThat(cloud.calls)
        .as("no mutating call after the refused one")
        .containsExactly("terminate!InternalError");
    assertThat(cloud.instances).containsKey(ID);
  }

  @Test
  void tagsOnACloudThatReturnsNoneAreRefusedNotPassed() {
    cloud.instance(ID, false); // FakeCloud's instances carry no tags (null): like CompShare
    DeletionReconciler.Outcome o =
        reconciler.process(
            resource(new GuardSpec(null, Map.of("team", "ci")), null, Map.of()),
            client,
            s -> {},
            false);
    assertThat(o.status().getPhase()).isEqualTo(Phase.Failed);
    assertThat(condition(o.status(), "Failed").getReason()).isEqualTo("TargetMismatch");
    assertThat(o.status().getMessage()).contains("returns no tags");
    assertThat(cloud.calls).isEmpty();
  }

  @Test
  void anInvalidNamePatternFailsBeforeAnyCloudCallEvenADescribe() {
    cloud.instance(ID, false);
    DeletionReconciler.Outcome o =
        reconciler.process(
            resource(new GuardSpec("ci-(runner", null), null, Map.of()), client, s -> {}, false);
    assertThat(o.status().getPhase()).isEqualTo(Phase.Failed);
    assertThat(condition(o.status(), "Failed").getReason()).isEqualTo("InvalidGuard");
    assertThat(o.status().getMessage()).contains("spec.guard.namePattern");
    assertThat(cloud.describeInstanceCalls.get()).isZero();
  }

  @Test
  void aGuardChangedAfterRecordingIsSpecDrift() {
    cloud.instance(ID, false);
    cloud.instances.put(ID, cloud.instances.get(ID).withName("ci-runner-1"));
    refuseTheNextTerminate();
    DeletionReconciler.Outcome recorded =
        reconciler.process(
            resource(new GuardSpec("^ci-.*$", null), null, Map.of()), client, s -> {}, false);
    assertThat(recorded.status().getRecorded()).isNotNull();
    CloudInstanceDeletion changed =
        resource(new GuardSpec("^.*$", null), later(recorded.status()), Map.of());
    changed.getMetadata().setGeneration(2L);
    int describes = cloud.describeInstanceCalls.get();
    DeletionReconciler.Outcome o = reconciler.process(changed, client, s -> {}, false);
    assertThat(condition(o.status(), "SpecChanged").getStatus()).isEqualTo("True");
    assertThat(o.status().getMessage()).contains("spec.guard");
    assertThat(cloud.calls)
        .as("no call for the changed spec")
        .containsExactly("terminate!InternalError");
    assertThat(cloud.describeInstanceCalls.get()).isEqualTo(describes);
  }

  // ---- one owner per instance
  // ------------------------------------------------------------------------------

  @Test
  void aSecondDeletionOfTheSameInstanceWaitsForTheOwnerAndMakesNoCall() {
    cloud.instance(ID, false);
    cloud.dropTerminate.add(ID); // accepted, but the instance stays for the second one to find
    CloudInstanceDeletion owner =
        resource("first", "uid-9", "2026-11-29T10:00:00Z", null, null, Map.of());
    CloudInstanceDeletion second =
        resource("second", "uid-1", "2026-11-29T10:00:05Z", null, null, Map.of());
    Map<String, List<CloudInstanceDeletion>> index =
        Map.of(InstanceClaims.key("tencentcloud", "ap-beijing", ID), List.of(owner, second));
    DeletionReconciler.Outcome o =
        reconciler.process(second, client, s -> {}, false, k -> index.getOrDefault(k, List.of()));
    assertThat(condition(o.status(), "InstanceClaimed").getStatus()).isEqualTo("True");
    assertThat(condition(o.status(), "InstanceClaimed").getMessage()).contains(ID, "default/first");
    assertThat(o.reschedule()).as("looks again while waiting").isNotNull();
    assertThat(cloud.describeInstanceCalls.get()).isZero();

    // the owner is the same for both: the first one goes on, records and terminates
    DeletionReconciler.Outcome first =
        reconciler.process(owner, client, s -> {}, false, k -> index.getOrDefault(k, List.of()));
    assertThat(first.status().getPhase()).isEqualTo(Phase.AwaitingShutdown);
    assertThat(condition(first.status(), "InstanceClaimed")).isNull();
    assertThat(cloud.calls).containsExactly("terminate [" + ID + "]");

    // owner finished (no longer in the index): the second one goes on and its condition says so
    DeletionReconciler.Outcome after =
        reconciler.process(
            resource("second", "uid-1", "2026-11-29T10:00:05Z", null, o.status(), Map.of()),
            client,
            s -> {},
            false,
            k -> List.of());
    assertThat(condition(after.status(), "InstanceClaimed").getStatus()).isEqualTo("False");
    assertThat(after.status().getPhase()).isEqualTo(Phase.AwaitingShutdown);
  }

  @Test
  void anOwnerThatReachesTheCacheWhileThePlanIsBeingRecordedStopsThePassBeforeItsFirstCall() {
    cloud.instance(ID, false);
    CloudInstanceDeletion late =
        resource("late", "uid-1", "2026-11-29T10:00:05Z", null, null, Map.of());
    CloudInstanceDeletion owner =
        resource("owner", "uid-9", "2026-11-29T10:00:00Z", null, null, Map.of());
    java.util.concurrent.atomic.AtomicInteger looks =
        new java.util.concurrent.atomic.AtomicInteger();
    // when the pass starts, the cache knows only this deletion; by its first call, the older one
    // too
    java.util.function.Function<String, List<CloudInstanceDeletion>> claims =
        k -> looks.getAndIncrement() == 0 ? List.of(late) : List.of(owner, late);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> reconciler.process(late, client, s -> {}, false, claims))
        .isInstanceOf(StatusWriter.Conflict.class)
        .hasMessageContaining("default/owner");
    assertThat(cloud.describeInstanceCalls.get()).as("the plan was being recorded").isPositive();
    assertThat(cloud.calls).as("no call, no write").isEmpty();

    // the next pass starts again and shows the claim
    DeletionReconciler.Outcome o = reconciler.process(late, client, s -> {}, false, claims);
    assertThat(condition(o.status(), "InstanceClaimed").getStatus()).isEqualTo("True");
    assertThat(cloud.calls).isEmpty();
  }

  @Test
  void anOwnerThatAppearsBetweenTheRecordingAndTheTerminateGetsTheCallsNotThisDeletion() {
    cloud.instance(ID, false);
    CloudInstanceDeletion late =
        resource("late", "uid-1", "2026-11-29T10:00:05Z", null, null, Map.of());
    refuseTheNextTerminate();
    DeletionReconciler.Outcome recorded =
        reconciler.process(late, client, s -> {}, false, k -> List.of());
    assertThat(recorded.status().getRecorded()).isNotNull();
    assertThat(cloud.calls).containsExactly("terminate!InternalError");

    // an older deletion of the same instance that already acts shows up in the cache
    CloudInstanceDeletionStatus acting = new CloudInstanceDeletionStatus();
    acting.setPhase(Phase.Terminating);
    acting.setIntent(
        new CallIntent("TerminateInstances", List.of(ID), "td-x", "2026-11-29T10:00:02Z"));
    CloudInstanceDeletion owner =
        resource("owner", "uid-9", "2026-11-29T10:00:00Z", null, acting, Map.of());
    CloudInstanceDeletion again =
        resource("late", "uid-1", "2026-11-29T10:00:05Z", null, later(recorded.status()), Map.of());
    int describes = cloud.describeInstanceCalls.get();
    DeletionReconciler.Outcome o =
        reconciler.process(again, client, s -> {}, false, k -> List.of(owner, again));
    assertThat(condition(o.status(), "InstanceClaimed").getStatus()).isEqualTo("True");
    assertThat(cloud.calls).containsExactly("terminate!InternalError");
    assertThat(cloud.describeInstanceCalls.get()).isEqualTo(describes);
  }

  @Test
  void aDeletionAlreadyActingOwnsTheInstanceWhateverItsAge() {
    CloudInstanceDeletionStatus acting = new CloudInstanceDeletionStatus();
    acting.setPhase(Phase.Terminating);
    acting.setIntent(
        new CallIntent("TerminateInstances", List.of(ID), "td-x", "2026-11-29T10:00:06Z"));
    CloudInstanceDeletion younger =
        resource("young", "uid-2", "2026-11-29T10:00:05Z", null, acting, Map.of());
    CloudInstanceDeletion older =
        resource("old", "uid-1", "2026-11-29T10:00:05Z", null, null, Map.of());
    assertThat(InstanceClaims.firstClaimedByAnother(older, k -> List.of(older, younger)).owner())
        .isSameAs(younger);
    assertThat(InstanceClaims.firstClaimedByAnother(younger, k -> List.of(older, younger)))
        .isNull();
    CloudInstanceDeletionStatus done = new CloudInstanceDeletionStatus();
    done.setPhase(Phase.Done);
    assertThat(
            InstanceClaims.keys(
                resource("done", "uid-3", "2026-11-29T10:00:00Z", null, done, Map.of())))
        .as("a finished deletion claims nothing")
        .isEmpty();
  }

  // ---- controls
  // --------------------------------------------------------------------------------------------

  @Test
  void pausedMakesNoCallAndSaysSoThenResumes() {
    cloud.instance(ID, false);
    DeletionReconciler.Outcome p =
        reconciler.process(
            resource(null, null, Map.of(Controls.PAUSED, "true")), client, s -> {}, false);
    assertThat(cloud.describeInstanceCalls.get()).isZero();
    assertThat(condition(p.status(), "Paused").getStatus()).isEqualTo("True");
    assertThat(condition(p.status(), "Reconciling").getStatus()).isEqualTo("False");
    assertThat(condition(p.status(), "Reconciling").getReason()).isEqualTo("Paused");
    assertThat(condition(p.status(), "Stalled").getStatus()).isEqualTo("False");
    assertThat(p.reschedule()).as("the annotation's removal brings it back").isNull();

    // resumed: records the plan; its terminate is refused for now
    refuseTheNextTerminate();
    DeletionReconciler.Outcome r =
        reconciler.process(resource(null, p.status(), Map.of()), client, s -> {}, false);
    assertThat(condition(r.status(), "Paused").getStatus()).isEqualTo("False");
    assertThat(r.status().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(cloud.calls).containsExactly("terminate!InternalError");

    // paused again between the recording and the terminate: no call, not even a describe
    int describes = cloud.describeInstanceCalls.get();
    DeletionReconciler.Outcome again =
        reconciler.process(
            resource(null, later(r.status()), Map.of(Controls.PAUSED, "true")),
            client,
            s -> {},
            false);
    assertThat(condition(again.status(), "Paused").getStatus()).isEqualTo("True");
    assertThat(cloud.describeInstanceCalls.get()).isEqualTo(describes);
    assertThat(cloud.calls).containsExactly("terminate!InternalError");

    // removed: it goes on with the terminate
    DeletionReconciler.Outcome on =
        reconciler.process(resource(null, again.status(), Map.of()), client, s -> {}, false);
    assertThat(on.status().getPhase()).isEqualTo(Phase.AwaitingShutdown);
    assertThat(cloud.calls).containsExactly("terminate!InternalError", "terminate [" + ID + "]");
  }

  @Test
  void retryRerunsAFailedDeletionOncePerValue() {
    cloud.instance(ID, false);
    cloud.failEveryCall =
        dev.teardown.cloud.CloudError.of(
            dev.teardown.cloud.ErrorKind.CREDENTIALS,
            "AuthFailure.SecretIdNotFound",
            "keys refused",
            "r-1",
            "DescribeInstances");
    DeletionReconciler.Outcome failed =
        reconciler.process(resource(null, null, Map.of()), client, s -> {}, false);
    assertThat(failed.status().getPhase()).isEqualTo(Phase.Failed);
    cloud.failEveryCall = null; // the cause is fixed

    int describes = cloud.describeInstanceCalls.get();
    DeletionReconciler.Outcome again =
        reconciler.process(
            resource(null, failed.status(), Map.of(Controls.RETRY, "1")), client, s -> {}, false);
    assertThat(again.status().getLastRetry()).isEqualTo("1");
    assertThat(again.status().getPhase())
        .as("re-run from Pending: records and terminates")
        .isEqualTo(Phase.AwaitingShutdown);
    assertThat(cloud.describeInstanceCalls.get()).isGreaterThan(describes);

    // failed again later; the same value does not re-run it
    CloudInstanceDeletionStatus failedAgain = Serialization.clone(again.status());
    failedAgain.setPhase(Phase.Failed);
    int before = cloud.describeInstanceCalls.get();
    DeletionReconciler.Outcome same =
        reconciler.process(
            resource(null, failedAgain, Map.of(Controls.RETRY, "1")), client, s -> {}, false);
    assertThat(same.status().getPhase()).isEqualTo(Phase.Failed);
    assertThat(cloud.describeInstanceCalls.get()).isEqualTo(before);
    DeletionReconciler.Outcome next =
        reconciler.process(
            resource(null, failedAgain, Map.of(Controls.RETRY, "2")), client, s -> {}, false);
    assertThat(next.status().getPhase()).isNotEqualTo(Phase.Failed);
    assertThat(next.status().getLastRetry()).isEqualTo("2");
  }

  @Test
  void annotationChangesTriggerAReconcileAndTheOperatorsOwnStatusWritesDoNot() {
    Controls.UpdateFilter f = new Controls.UpdateFilter();
    CloudInstanceDeletion before = resource(null, null, Map.of("other", "x"));
    CloudInstanceDeletion paused =
        resource(null, null, Map.of("other", "x", Controls.PAUSED, "true"));
    assertThat(f.accept(paused, before)).isTrue();
    assertThat(f.accept(resource(null, null, Map.of("other", "x", Controls.RETRY, "2")), before))
        .isTrue();
    CloudInstanceDeletionStatus st = new CloudInstanceDeletionStatus();
    st.setPhase(Phase.Terminating);
    assertThat(f.accept(resource(null, st, Map.of("other", "x")), before))
        .as("status write")
        .isFalse();
    assertThat(f.accept(resource(null, null, Map.of("other", "y")), before))
        .as("someone else's annotation")
        .isFalse();
    CloudInstanceDeletion newer = resource(null, null, Map.of("other", "x"));
    newer.getMetadata().setGeneration(2L);
    assertThat(f.accept(newer, before)).isTrue();
  }
}
