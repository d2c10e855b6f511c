package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One pass of the reconciler (no operator loop): gating by nextAttemptAt, the intent write (with
 * the recording of the same pass) before a call, and a failed or conflicting one that stops it.
 */
class DeletionReconcilerTest {
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

  private CloudInstanceDeletion resource(CloudInstanceDeletionStatus st) {
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName("d")
            .withNamespace("default")
            .withUid("uid-1")
            .withGeneration(1L)
            .withResourceVersion("3")
            .build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(Provider.TENCENTCLOUD);
    s.setRegion("ap-beijing");
    s.setInstanceIds(List.of("ins-aaaaaaaa"));
    s.setCredentialsSecretRef(new SecretReference("keys"));
    r.setSpec(s);
    r.setStatus(st);
    return r;
  }

  @Test
  void nothingIsCalledBeforeNextAttemptAt() {
    cloud.instance("ins-aaaaaaaa", false);
    CloudInstanceDeletionStatus st = new CloudInstanceDeletionStatus();
    st.setPhase(Phase.Terminating);
    st.setNextAttemptAt(Instant.now().plusSeconds(60).toString());
    DeletionReconciler.Outcome o = reconciler.process(resource(st), client, s -> {}, false);
    assertThat(cloud.describeInstanceCalls.get()).isZero();
    assertThat(cloud.calls).isEmpty();
    assertThat(o.reschedule()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
  }

  @Test
  void aConflictOnTheIntentWriteMeansTheCallIsNeverMade() {
    cloud.instance("ins-aaaaaaaa", false);
    // the pass that records the plan goes on to the terminate; the resource changed on the server
    // since this pass read it (a spec edit, an annotation, a deletion), so its intent write is
    // refused
    assertThatThrownBy(
            () ->
                reconciler.process(
                    resource(null),
                    client,
                    s -> {
                      throw new StatusWriter.Conflict("changed since read");
                    },
                    false))
        .isInstanceOf(StatusWriter.Conflict.class);
    assertThat(cloud.calls).as("no terminate without its intent in status").isEmpty();
    assertThat(cloud.instances).containsKey("ins-aaaaaaaa");
  }

  @Test
  void anIntentWriteThatFailsOtherwiseMakesNoCallAndTheStatusClaimsNone() {
    cloud.instance("ins-aaaaaaaa", false);
    DeletionReconciler.Outcome o =
        reconciler.process(
            resource(null),
            client,
            s -> {
              throw new io.fabric8.kubernetes.client.KubernetesClientException("etcd timeout");
            },
            false);
    assertThat(cloud.calls).as("no terminate without its intent in status").isEmpty();
    assertThat(o.status().getIntent()).as("no call was made, and the status says none").isNull();
    assertThat(o.status().getLastError().getCode()).isEqualTo("InternalError");
    assertThat(o.status().getRecorded()).isNotNull();
    assertThat(o.reschedule()).isNotNull();

    // the next pass (its backoff over) acts on the recorded plan
    CloudInstanceDeletionStatus next = o.status();
    next.setNextAttemptAt(null);
    DeletionReconciler.Outcome then = reconciler.process(resource(next), client, s -> {}, false);
    assertThat(cloud.calls).containsExactly("terminate [ins-aaaaaaaa]");
    assertThat(then.status().getPhase()).isEqualTo(Phase.AwaitingShutdown);
  }

  @Test
  void theIntentIsWrittenWithTheCallsIdsTokenAndTheRecordingBeforeTheCall() {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    List<String> seenAtWrite = new java.util.ArrayList<>();
    DeletionReconciler.Outcome o =
        reconciler.process(
            resource(null),
            client,
            s -> {
              seenAtWrite.add(
                  s.getIntent().getAction()
                      + " "
                      + s.getIntent().getIds()
                      + " calls="
                      + cloud.calls.size()
                      + " phase="
                      + s.getPhase()
                      + " recorded="
                      + s.getRecorded().getInstanceIds()
                      + " disks="
                      + s.getInstances().get(0).getDataDisks().stream()
                          .map(d -> d.getId())
                          .toList());
              assertThat(s.getIntent().getToken()).startsWith("td-");
              assertThat(s.getIntent().getResult()).isNull();
            },
            false);
    assertThat(seenAtWrite)
        .containsExactly(
            "TerminateInstances [ins-aaaaaaaa] calls=0 phase=Terminating"
                + " recorded=[ins-aaaaaaaa] disks=[disk-a1]");
    assertThat(cloud.calls).containsExactly("terminate [ins-aaaaaaaa]");
    assertThat(o.status().getIntent().getResult()).isEqualTo("Accepted");
    assertThat(o.status().getPhase()).isEqualTo(Phase.AwaitingShutdown);
  }

  @Test
  void aSpecThatNoLongerMatchesTheRecordedPlanMakesNoCloudCallAndSaysSo() {
    cloud.instance("ins-aaaaaaaa", false);
    // the pass that records the plan has its terminate refused: the plan is recorded, nothing done
    cloud.refuseNextTerminate();
    DeletionReconciler.Outcome recorded =
        reconciler.process(resource(null), client, s -> {}, false);
    assertThat(recorded.status().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(recorded.status().getRecorded()).isNotNull();
    assertThat(cloud.calls).containsExactly("terminate!InternalError");
    recorded.status().setNextAttemptAt(null); // its backoff is over
    CloudInstanceDeletion changed = resource(recorded.status());
    changed.getSpec().setInstanceIds(List.of("ins-bbbbbbbb"));
    changed.getMetadata().setGeneration(2L);
    int describes = cloud.describeInstanceCalls.get();
    DeletionReconciler.Outcome o = reconciler.process(changed, client, s -> {}, false);
    assertThat(cloud.describeInstanceCalls.get()).isEqualTo(describes);
    assertThat(cloud.calls)
        .as("no call for a changed spec")
        .containsExactly("terminate!InternalError");
    assertThat(Conditions.get(o.status().getConditions(), "SpecChanged").getStatus())
        .isEqualTo("True");
    assertThat(Conditions.get(o.status().getConditions(), "Stalled").getReason())
        .isEqualTo("SpecChanged");
    assertThat(o.status().getMessage()).contains("spec.instanceIds", "generation 1", "Delete this");
    assertThat(o.status().getObservedGeneration()).isEqualTo(2L);

    changed.getSpec().setInstanceIds(List.of("ins-aaaaaaaa")); // put back: it goes on
    DeletionReconciler.Outcome back = reconciler.process(changed, client, s -> {}, false);
    assertThat(Conditions.get(back.status().getConditions(), "SpecChanged").getStatus())
        .isEqualTo("False");
    assertThat(cloud.calls).containsExactly("terminate!InternalError", "terminate [ins-aaaaaaaa]");
  }

  @Test
  void retryableErrorsPastTheStallTimeShowStalledWithTheLastErrorAndKeepRetrying() {
    OperatorConfig config =
        OperatorConfig.defaults()
            .withTimings(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(2))
            .withStallAfter(Duration.ZERO);
    DeletionReconciler stalling =
        new DeletionReconciler(
            new ProviderRegistry(List.of(cloud)),
            new ConnectionCache(new SimpleMeterRegistry()),
            config,
            Clock.systemUTC(),
            new SimpleMeterRegistry());
    cloud.instance("ins-aaaaaaaa", false);
    cloud.failNextMutation =
        dev.teardown.cloud.CloudError.of(
            dev.teardown.cloud.ErrorKind.RETRYABLE,
            "OperationDenied.SomethingNew",
            "denied for a new reason",
            "r-1",
            "TerminateInstances");
    DeletionReconciler.Outcome o = stalling.process(resource(null), client, s -> {}, false);
    assertThat(o.status().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(o.reschedule()).as("still retrying").isNotNull();
    var stalled = Conditions.get(o.status().getConditions(), "Stalled");
    assertThat(stalled.getStatus()).isEqualTo("True");
    assertThat(stalled.getReason()).isEqualTo("OperationDeniedSomethingNew");
    assertThat(stalled.getMessage()).contains("denied for a new reason");
    assertThat(Conditions.get(o.status().getConditions(), "Reconciling").getStatus())
        .isEqualTo("True");
    assertThat(client.v1().events().inNamespace("default").list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("OperationDeniedSomethingNew"));
  }
}
