package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.NotFoundPolicy;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.RecycleBinPolicy;
import dev.teardown.controller.Conditions;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator on the embedded Kubernetes API against the Tencent simulator, through the real SDK
 * and the Tencent adapter. Every test checks the final status and what the cloud saw: the
 * simulator's call ledger (effective mutating calls per id, irreversible destroy calls out of the
 * recycle bin) and its world (no orphaned disks).
 */
class TencentDeletionIT {
  private static final String REGION = "ap-beijing";
  private static final String SECRET_ID = "AKIDtencentit0001";
  private static final String SECRET_KEY = "tc-it-secret-key-5d1f9c";
  private static final String KEYS = "tencent-keys";
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** The cloud timeout OperatorHarness configures. */
  private static final Duration CLOUD_TIMEOUT = Duration.ofSeconds(2);

  private SimCloud cloud;
  private TencentSimulator sim;
  private OperatorHarness h;

  /** The next start() runs on the mock API (a spec change a real server refuses). */
  private boolean onMock;

  /** An operator of our own that a test crashes, with the API client it dies with. */
  private OperatorRuntime doomed;

  private KubernetesClient doomedClient;

  @AfterEach
  void stop() {
    crashDoomed();
    if (h != null) {
      h.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  // ---------------------------------------------------------------- the flows

  @Test
  void postpaidInstanceWithTwoDisksIsDeletedWithBothDisksAndEventsOnEveryPhaseChange() {
    start(
        world(
            w -> {
              w.instance("ins-post0001");
              w.disk("disk-post0001").on("ins-post0001").deleteWithInstance();
              w.disk("disk-post0002").on("ins-post0001");
            }),
        true);
    h.create("post", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-post0001"), s -> {});

    CloudInstanceDeletion r = h.awaitPhase("post", Phase.Done, WAIT);
    assertNoError(r);

    InstanceStatus is = only(r);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(is.getTerminateCalls()).isEqualTo(1);
    assertThat(is.getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactly(
            tuple("disk-post0001", DiskAction.ReleaseWithInstance, true),
            tuple("disk-post0002", DiskAction.Release, true));
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    assertThat(condition(r, Conditions.READY))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("Deleted");
            });
    assertThat(condition(r, Conditions.FAILED).getStatus()).isEqualTo("False");

    // The cloud: one terminate; the delete-with-instance disk went with it, the other was released
    // on its own.
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-post0001");
    ledgerOf(sim).calledOnce("TerminateInstances");
    assertThat(ledgerOf(sim).terminatedOutright("TerminateInstances", "ins-post0001")).isTrue();
    assertThat(ledgerOf(sim).count("DetachDisks"))
        .as("the surviving disk was already unattached")
        .isZero();
    ledgerOf(sim).effectiveOnce("TerminateDisks", "disk-post0002");
    ledgerOf(sim).never("TerminateDisks", "disk-post0001");
    assertThat(cloud.instances()).doesNotContainKey("ins-post0001");
    assertThat(cloud.disks()).doesNotContainKeys("disk-post0001", "disk-post0002");
    assertThat(sim.orphanedDisks(List.of("ins-post0001"))).isEmpty();
    ledgerOf(sim).noDestroyCalls();

    // Events: one Normal event per phase the deletion settled in, in order.
    List<Event> events = h.events("post");
    assertThat(events)
        .filteredOn(e -> "Normal".equals(e.getType()))
        .extracting(Event::getReason)
        .containsSubsequence("AwaitingShutdown", "ReleasingDisks", "Done");
    assertThat(events).noneMatch(e -> "Warning".equals(e.getType()));
    // Aggregated: one object per reason and message, with a count; worded so the message says what
    // the reason says.
    assertThat(events)
        .extracting(e -> e.getReason() + "|" + e.getMessage())
        .doesNotHaveDuplicates();
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.getCount()).isPositive();
              assertThat(e.getMessage()).startsWith("Entered " + e.getReason() + " from ");
            });
    // the pass that records the plan goes on to the terminate: its event says both
    assertThat(events)
        .filteredOn(e -> "AwaitingShutdown".equals(e.getReason()))
        .extracting(Event::getMessage)
        .containsExactly(
            "Entered AwaitingShutdown from Pending: Recorded 1 instance and 2 data disks."
                + " Terminate accepted for ins-post0001.");
    assertNoSecretIn("post");
  }

  @Test
  void prepaidInstanceGoesToTheRecycleBinWithItsPrepaidDisksAndIsTerminatedExactlyOnce() {
    start(
        world(
            w -> {
              w.instance("ins-pre00001").prepaid();
              for (int i = 1; i <= 3; i++) {
                w.disk("disk-pre0000" + i).on("ins-pre00001").prepaid();
              }
            }),
        true);
    h.create("pre", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-pre00001"), s -> {});

    CloudInstanceDeletion r = h.awaitPhase("pre", Phase.Done, WAIT);
    assertNoError(r);

    InstanceStatus is = only(r);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Recycled);
    assertThat(is.getState()).isEqualTo("SHUTDOWN");
    assertThat(is.getTerminateCalls()).isEqualTo(1);
    assertThat(is.getDataDisks())
        .hasSize(3)
        .allSatisfy(
            d -> {
              assertThat(d.getAction()).isEqualTo(DiskAction.ReleaseWithInstance);
              assertThat(d.isReleased()).isTrue();
              assertThat(d.getState()).isEqualTo("TORECYCLE");
            });
    assertThat(r.getStatus().getDisks()).isEqualTo("3/3");

    // Exactly one TerminateInstances, carrying ReleasePrepaidDataDisks, which moved it to the
    // recycle bin.
    List<CallLedger.Call> terminates = ledgerOf(sim).calls("TerminateInstances");
    assertThat(terminates)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.effective()).isTrue();
              assertThat(c.params())
                  .containsEntry("ReleasePrepaidDataDisks", "true")
                  .containsEntry("Recycled", "ins-pre00001");
              assertThat(c.params()).doesNotContainKey(TencentSimulator.DESTROYED);
            });
    assertThat(ledgerOf(sim).countAny(List.of("DetachDisks", "TerminateDisks")))
        .as("the prepaid disks went to the recycle bin with the instance")
        .isZero();
    ledgerOf(sim).noDestroyCalls();
    assertThat(cloud.instances().get("ins-pre00001")).containsEntry("state", "SHUTDOWN");
    assertThat(cloud.disks()).containsKeys("disk-pre00001", "disk-pre00002", "disk-pre00003");
    assertThat(cloud.disks().values())
        .filteredOn(d -> "DATA_DISK".equals(d.get("usage")))
        .allSatisfy(d -> assertThat(d).containsEntry("state", "TORECYCLE"));
    assertThat(sim.orphanedDisks(List.of("ins-pre00001"))).isEmpty();
  }

  @Test
  void postpaidDiskOnAPrepaidInstanceIsDetachedThenReleasedWithTerminateDisks() {
    start(
        world(
            w -> {
              w.instance("ins-pre00002").prepaid();
              w.disk("disk-pre00011").on("ins-pre00002").prepaid();
              w.disk("disk-post0011").on("ins-pre00002");
            }),
        true);
    h.create("mixed", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-pre00002"), s -> {});

    CloudInstanceDeletion r = h.awaitPhase("mixed", Phase.Done, WAIT);
    assertNoError(r);

    InstanceStatus is = only(r);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Recycled);
    assertThat(is.getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            tuple("disk-pre00011", DiskAction.ReleaseWithInstance),
            tuple("disk-post0011", DiskAction.Release));
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");

    assertThat(ledgerOf(sim).calls("TerminateInstances")).hasSize(1);
    // The postpaid disk survived the terminate attached to the SHUTDOWN instance: detached, then
    // released.
    assertThat(ledgerOf(sim).calls("DetachDisks"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.effective()).isTrue();
              assertThat(c.ids()).containsExactly("disk-post0011");
              assertThat(c.params()).containsEntry("InstanceId", "ins-pre00002");
            });
    assertThat(ledgerOf(sim).calls("TerminateDisks"))
        .filteredOn(CallLedger.Call::effective)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ids()).containsExactly("disk-post0011");
              assertThat(c.params()).containsEntry("Terminated", "disk-post0011");
            });
    Instant detached = ledgerOf(sim).calls("DetachDisks").get(0).at();
    assertThat(ledgerOf(sim).calls("TerminateDisks"))
        .allSatisfy(c -> assertThat(c.at()).isAfterOrEqualTo(detached));
    assertThat(
            ledgerOf(sim).count("DetachDisks", "disk-pre00011")
                + ledgerOf(sim).count("TerminateDisks", "disk-pre00011"))
        .as("the prepaid disk went with the instance")
        .isZero();
    ledgerOf(sim).noDestroyCalls();
    assertThat(cloud.disks()).doesNotContainKey("disk-post0011");
    assertThat(cloud.disks().get("disk-pre00011")).containsEntry("state", "TORECYCLE");
    assertThat(sim.orphanedDisks(List.of("ins-pre00002"))).isEmpty();
  }

  @Test
  void recycleBinPurgeDestroysTheInstanceAndItsDisksWithOneSecondCall() {
    start(
        world(
            w -> {
              // Destroying takes longer than a poll: the reconciler sees the instance TERMINATING
              // with its disks recycled.
              w.timing("terminate", 600);
              w.instance("ins-purge001").prepaid();
              w.disk("disk-purge001").on("ins-purge001").prepaid();
              w.disk("disk-purge002").on("ins-purge001").prepaid();
            }),
        true);
    h.create(
        "purge",
        Provider.TENCENTCLOUD,
        REGION,
        KEYS,
        List.of("ins-purge001"),
        s -> s.setRecycleBin(RecycleBinPolicy.Purge));

    CloudInstanceDeletion r = h.awaitPhase("purge", Phase.Done, WAIT);
    assertNoError(r);

    InstanceStatus is = only(r);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(is.purgeWasRequested()).isTrue();
    assertThat(is.getTerminateCalls()).isEqualTo(2);
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");

    // First call: into the recycle bin. Second call: destroyed for good, disks with it. Nothing
    // else destroys.
    List<CallLedger.Call> terminates = ledgerOf(sim).calls("TerminateInstances");
    assertThat(terminates).hasSize(2).allMatch(CallLedger.Call::effective);
    assertThat(terminates.get(0).params()).containsEntry("Recycled", "ins-purge001");
    assertThat(terminates.get(1).params())
        .containsEntry(TencentSimulator.DESTROYED, "ins-purge001");
    assertThat(ledgerOf(sim).calls(c -> c.params().containsKey(TencentSimulator.DESTROYED)))
        .as("exactly one irreversible call")
        .hasSize(1);
    assertThat(sim.destroyCalls("ins-purge001")).isEqualTo(1);
    assertThat(ledgerOf(sim).countAny(List.of("DetachDisks", "TerminateDisks"))).isZero();
    assertThat(cloud.instances()).doesNotContainKey("ins-purge001");
    assertThat(cloud.disks()).doesNotContainKeys("disk-purge001", "disk-purge002");
    assertThat(sim.orphanedDisks(List.of("ins-purge001"))).isEmpty();
  }

  @Test
  void retainKeepsEveryDataDiskAndNeverDetachesOrReleasesOne() {
    start(
        world(
            w -> {
              w.instance("ins-keep0001").prepaid();
              w.instance("ins-keep0002");
              w.disk("disk-keep0001").on("ins-keep0001").prepaid();
              w.disk("disk-keep0002").on("ins-keep0002");
            }),
        true);
    h.create(
        "retain",
        Provider.TENCENTCLOUD,
        REGION,
        KEYS,
        List.of("ins-keep0001", "ins-keep0002"),
        s -> s.setDataDisks(DataDiskPolicy.Retain));

    CloudInstanceDeletion r = h.awaitPhase("retain", Phase.Done, WAIT);
    assertNoError(r);

    assertThat(r.getStatus().getInstances())
        .extracting(InstanceStatus::getId, InstanceStatus::getOutcome)
        .containsExactly(
            tuple("ins-keep0001", InstanceOutcome.Recycled),
            tuple("ins-keep0002", InstanceOutcome.Gone));
    assertThat(r.getStatus().getInstances())
        .flatExtracting(InstanceStatus::getDataDisks)
        .extracting(DiskStatus::getAction)
        .containsOnly(DiskAction.Retain)
        .hasSize(2);
    assertThat(r.getStatus().getDisks()).isEqualTo("0/0, 2 kept");

    // One terminate per charge type; the prepaid one explicitly keeps its prepaid disks.
    assertThat(ledgerOf(sim).calls("TerminateInstances"))
        .hasSize(2)
        .allMatch(CallLedger.Call::effective);
    assertThat(ledgerOf(sim).calls("TerminateInstances"))
        .filteredOn(c -> c.ids().contains("ins-keep0001"))
        .singleElement()
        .satisfies(c -> assertThat(c.params()).containsEntry("ReleasePrepaidDataDisks", "false"));
    assertThat(ledgerOf(sim).countAny(List.of("DetachDisks", "TerminateDisks"))).isZero();
    ledgerOf(sim).noDestroyCalls();
    assertThat(cloud.disks().get("disk-keep0001")).containsEntry("state", "ATTACHED");
    assertThat(cloud.disks().get("disk-keep0002")).containsEntry("state", "UNATTACHED");
    assertThat(sim.orphanedDisks(List.of("ins-keep0001", "ins-keep0002")))
        .as("retained as asked: still there and billed")
        .containsExactlyInAnyOrder("disk-keep0001", "disk-keep0002");
  }

  @Test
  void anInstanceAlreadyGoneIsDoneWithoutAnyMutatingCall() {
    start(world(w -> w.instance("ins-other001")), true);
    h.create(
        "gone",
        Provider.TENCENTCLOUD,
        REGION,
        KEYS,
        List.of("ins-gone0001"),
        s -> s.setIfNotFound(NotFoundPolicy.Ignore));

    CloudInstanceDeletion r = h.awaitPhase("gone", Phase.Done, WAIT);
    assertNoError(r);

    assertThat(only(r).getOutcome()).isEqualTo(InstanceOutcome.NotFound);
    assertThat(only(r).getDataDisks()).isEmpty();
    assertThat(r.getStatus().getMessage())
        .as("never counted as deleted")
        .startsWith("0 instances deleted, 1 already gone");
    ledgerOf(sim)
        .allCalls()
        .isNotEmpty()
        .allSatisfy(
            c -> {
              assertThat(c.action()).startsWith("Describe");
              assertThat(c.effective()).isFalse();
            });
    assertThat(cloud.instances()).containsKey("ins-other001");
  }

  @Test
  void deletionProtectionFailsUpFrontAndTouchesNothing() {
    start(
        world(
            w -> {
              w.instance("ins-prot0001").deletionProtection();
              w.disk("disk-prot0001").on("ins-prot0001");
            }),
        true);
    h.create("protected", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-prot0001"), s -> {});

    CloudInstanceDeletion r = h.awaitPhase("protected", Phase.Failed, WAIT);

    assertThat(r.getStatus().getMessage()).contains("deletion protection is on for ins-prot0001");
    assertThat(condition(r, Conditions.FAILED))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("DeletionProtection");
              assertThat(c.getMessage()).contains("deletion protection");
            });
    assertThat(condition(r, Conditions.READY).getStatus()).isEqualTo("False");
    ledgerOf(sim).noMutatingCalls();
    assertThat(ledgerOf(sim).effectiveCalls()).isEmpty();
    assertThat(cloud.instances().get("ins-prot0001")).containsEntry("state", "RUNNING");
    assertThat(cloud.disks().get("disk-prot0001"))
        .containsEntry("state", "ATTACHED")
        .containsEntry("instanceId", "ins-prot0001");
    assertThat(h.events("protected"))
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("Failed");
              assertThat(e.getMessage()).contains("deletion protection");
            });
  }

  // ---------------------------------------------------------------- errors and restarts

  @Test
  void aThrottlingStormSlowsTheDeletionDownButItStillFinishes() {
    start(
        world(
            w -> {
              w.instance("ins-storm001");
              w.disk("disk-storm001").on("ins-storm001");
              w.disk("disk-storm002").on("ins-storm001");
              // Every action this deletion uses is throttled once, on top of a low limit for the
              // polls.
              for (String action :
                  List.of(
                      "DescribeInstances",
                      "TerminateInstances",
                      "DescribeDisks",
                      "TerminateDisks")) {
                w.fault(
                    FaultRule.error(action, "RequestLimitExceeded", 1)
                        .message("Your request rate exceeds the limit."));
              }
              // One describe per second: a deletion now needs few enough looks that a higher limit
              // is never reached.
              w.rateLimit("DescribeInstances", 1);
              w.rateLimit("DescribeDisks", 1);
            }),
        true);
    h.create("storm", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-storm001"), s -> {});

    CloudInstanceDeletion r = h.awaitPhase("storm", Phase.Done, Duration.ofSeconds(40));

    assertThat(r.getStatus().getLastError())
        .satisfies(
            e -> {
              assertThat(e.getCode()).isEqualTo("RequestLimitExceeded");
              assertThat(e.getKind()).isEqualTo("Throttled");
              assertThat(e.getRequestId()).isNotBlank();
            });
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    List<CallLedger.Call> throttled =
        ledgerOf(sim).calls(c -> c.outcome().equals("RequestLimitExceeded"));
    assertThat(throttled)
        .as("the storm happened")
        .hasSizeGreaterThanOrEqualTo(5)
        .allSatisfy(c -> assertThat(c.effective()).isFalse());
    assertThat(throttled)
        .extracting(CallLedger.Call::action)
        .contains("DescribeInstances", "TerminateInstances", "DescribeDisks", "TerminateDisks");
    // Throttled calls changed nothing, and the retries never repeated an effective call.
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-storm001");
    ledgerOf(sim).effectiveOnce("TerminateDisks", "disk-storm001");
    ledgerOf(sim).effectiveOnce("TerminateDisks", "disk-storm002");
    assertThat(sim.orphanedDisks(List.of("ins-storm001"))).isEmpty();
    ledgerOf(sim).noDestroyCalls();
    assertThat(h.events("storm"))
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("RequestLimitExceeded");
            });
  }

  @Test
  void wrongCredentialsFailWithTheCloudsAuthCodeAndNeverLeakTheKey() {
    start(world(w -> w.instance("ins-auth0001")), false);
    String wrongKey = "tc-it-wrong-key-93be07";
    String strangerKey = "tc-it-stranger-key-44a1c2";
    h.secret("bad-key", Map.of("secretId", SECRET_ID, "secretKey", wrongKey));
    h.secret("bad-id", Map.of("secretId", "AKIDnosuchkey0001", "secretKey", strangerKey));
    h.create("badkey", Provider.TENCENTCLOUD, REGION, "bad-key", List.of("ins-auth0001"), s -> {});
    h.create("badid", Provider.TENCENTCLOUD, REGION, "bad-id", List.of("ins-auth0001"), s -> {});

    Map<String, String> expected =
        Map.of("badkey", "AuthFailure.SignatureFailure", "badid", "AuthFailure.SecretIdNotFound");
    expected.forEach(
        (name, code) -> {
          CloudInstanceDeletion r = h.awaitPhase(name, Phase.Failed, WAIT);
          assertThat(r.getStatus().getLastError().getCode()).isEqualTo(code);
          assertThat(r.getStatus().getLastError().getKind()).isEqualTo("Credentials");
          assertThat(condition(r, Conditions.CREDENTIALS_VALID).getStatus()).isEqualTo("False");
          assertThat(condition(r, Conditions.CREDENTIALS_VALID).getMessage())
              .contains("secretId, secretKey")
              .doesNotContain(wrongKey)
              .doesNotContain(strangerKey);
          assertThat(r.getStatus().getMessage()).startsWith(code + ":");
          assertThat(condition(r, Conditions.FAILED))
              .satisfies(
                  c -> {
                    assertThat(c.getStatus()).isEqualTo("True");
                    assertThat(c.getReason()).isEqualTo(Conditions.reason(code));
                    assertThat(c.getMessage()).contains(code);
                  });
          assertThat(h.events(name)).anySatisfy(e -> assertThat(e.getMessage()).contains(code));
        });
    ledgerOf(sim)
        .allCalls()
        .extracting(CallLedger.Call::outcome)
        .containsOnly("AuthFailure.SignatureFailure", "AuthFailure.SecretIdNotFound");
    ledgerOf(sim).noMutatingCalls();
    assertThat(cloud.instances().get("ins-auth0001")).containsEntry("state", "RUNNING");
    assertNoSecretIn("badkey", wrongKey, strangerKey);
    assertNoSecretIn("badid", wrongKey, strangerKey);
  }

  @Test
  void aMissingSecretWaitsAsAConditionAndTheDeletionFinishesOnceItExists() {
    start(
        world(
            w -> {
              w.instance("ins-later001");
              w.disk("disk-later001").on("ins-later001");
            }),
        false);
    h.create(
        "later", Provider.TENCENTCLOUD, REGION, "keys-later", List.of("ins-later001"), s -> {});

    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              CloudInstanceDeletion r = h.get("later");
              return r.getStatus() != null
                  && Conditions.get(r.getStatus().getConditions(), Conditions.CREDENTIALS) != null
                  && "SecretNotFound"
                      .equals(
                          Conditions.get(r.getStatus().getConditions(), Conditions.CREDENTIALS)
                              .getReason());
            });
    CloudInstanceDeletion waiting = h.get("later");
    assertThat(waiting.getStatus().getPhase()).isEqualTo(Phase.Pending);
    assertThat(condition(waiting, Conditions.CREDENTIALS))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getMessage()).contains("keys-later");
            });
    ledgerOf(sim).allCalls().as("no call without keys").isEmpty();

    h.secret("keys-later", Map.of("secretId", SECRET_ID, "secretKey", SECRET_KEY));
    CloudInstanceDeletion r = h.awaitPhase("later", Phase.Done, WAIT);
    assertNoError(r);

    assertThat(condition(r, Conditions.CREDENTIALS))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("SecretFound");
            });
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-later001");
    ledgerOf(sim).effectiveOnce("TerminateDisks", "disk-later001");
    assertThat(sim.orphanedDisks(List.of("ins-later001"))).isEmpty();
    assertNoSecretIn("later");
  }

  @Test
  void
      aRestartAfterTheTerminateCallButBeforeTheStatusWriteNeverTerminatesTheRecycledInstanceAgain() {
    start(
        world(
            w -> {
              w.instance("ins-crash001").prepaid();
              w.disk("disk-crash001").on("ins-crash001").prepaid();
              w.disk("disk-crash002").on("ins-crash001");
              // The cloud applies the terminate but its answer never arrives in time.
              w.fault(
                  FaultRule.error("TerminateInstances", null, 1)
                      .type(FaultRule.Type.TIMEOUT_AFTER_APPLY)
                      .delayMs(5000));
            }),
        true);
    // The first operator runs on its own API client, closed with it: its in-flight reconcile, still
    // waiting for the
    // lost answer, can then write nothing afterwards, as after a real crash.
    h.stopOperator();
    doomedClient = new KubernetesClientBuilder().withConfig(h.client().getConfiguration()).build();
    doomed = startOperator(doomedClient);
    h.create("crash", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-crash001"), s -> {});

    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> ledgerOf(sim).count("TerminateInstances") == 1);
    crashDoomed();
    CloudInstanceDeletion atCrash = h.get("crash");
    assertThat(atCrash.getStatus().getPhase())
        .as("the disks were recorded before the terminate call")
        .isEqualTo(Phase.Terminating);
    assertThat(atCrash.getStatus().getInstances())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getTerminateCalls())
                  .as("the terminate was never recorded in status")
                  .isNull();
              assertThat(i.getDataDisks())
                  .extracting(DiskStatus::getId)
                  .containsExactly("disk-crash001", "disk-crash002");
            });
    assertThat(ledgerOf(sim).calls("TerminateInstances"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.effective()).isTrue();
              assertThat(c.params())
                  .containsEntry("fault", "TIMEOUT_AFTER_APPLY")
                  .containsEntry("Recycled", "ins-crash001");
            });
    Instant answerLostAt =
        ledgerOf(sim).calls("TerminateInstances").get(0).at().plus(CLOUD_TIMEOUT);
    // Restart once the cloud has finished moving the instance to the recycle bin: the new operator
    // starts from the
    // recorded plan and finds the instance there (and its prepaid disk with it); it must not
    // terminate it again.
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                "SUCCESS"
                    .equals(cloud.instances().get("ins-crash001").get("latestOperationState")));
    h.startOperator();

    CloudInstanceDeletion r = h.awaitPhase("crash", Phase.Done, WAIT);
    assertNoError(r);
    assertThat(h.events("crash")).noneMatch(e -> "Warning".equals(e.getType()));

    InstanceStatus is = only(r);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Recycled);
    assertThat(is.getState()).isEqualTo("SHUTDOWN");
    assertThat(is.getTerminateCalls()).as("the restarted operator made none").isNull();
    assertThat(is.getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactly(
            tuple("disk-crash001", DiskAction.ReleaseWithInstance, true),
            tuple("disk-crash002", DiskAction.Release, true));
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    assertThat(ledgerOf(sim).count("TerminateInstances"))
        .as("no second TerminateInstances on the SHUTDOWN instance")
        .isEqualTo(1);
    ledgerOf(sim).noDestroyCalls();
    ledgerOf(sim).effectiveOnce("DetachDisks", "disk-crash002");
    ledgerOf(sim).effectiveOnce("TerminateDisks", "disk-crash002");
    assertThat(cloud.instances().get("ins-crash001")).containsEntry("state", "SHUTDOWN");
    assertThat(cloud.disks().get("disk-crash001")).containsEntry("state", "TORECYCLE");
    assertThat(sim.orphanedDisks(List.of("ins-crash001"))).isEmpty();
    // Past the moment the crashed reconcile gave up on its answer, the result still stands.
    Duration untilGivenUp = Duration.between(Instant.now(), answerLostAt).plusMillis(500);
    if (!untilGivenUp.isNegative()) {
      await()
          .during(untilGivenUp)
          .atMost(untilGivenUp.plusSeconds(2))
          .until(
              () ->
                  h.phase("crash") == Phase.Done && ledgerOf(sim).count("TerminateInstances") == 1);
    }
  }

  @Test
  void fiftyDeletionsAtOnceAllFinishWithoutOrphansInBoundedTime() {
    List<String> ids =
        IntStream.range(0, 50).mapToObj(i -> String.format("ins-many%04d", i)).toList();
    start(
        world(
            w -> {
              for (int i = 0; i < ids.size(); i++) {
                w.instance(ids.get(i));
                // Half the disks go with their instance, half are released by Teardown.
                w.disk(String.format("disk-many%04d", i))
                    .on(ids.get(i))
                    .deleteWithInstance(i % 2 == 0);
              }
            }),
        true);
    for (int i = 0; i < ids.size(); i++) {
      h.create("many-" + i, Provider.TENCENTCLOUD, REGION, KEYS, List.of(ids.get(i)), s -> {});
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                IntStream.range(0, ids.size())
                    .allMatch(
                        i ->
                            h.phase("many-" + i) == Phase.Done
                                || h.phase("many-" + i) == Phase.Failed));

    List<String> notDone =
        IntStream.range(0, ids.size())
            .filter(i -> h.phase("many-" + i) != Phase.Done)
            .mapToObj(i -> "many-" + i + ": " + h.get("many-" + i).getStatus().getMessage())
            .toList();
    assertThat(notDone).isEmpty();
    assertThat(sim.orphanedDisks(ids)).isEmpty();
    assertThat(cloud.instances().keySet()).doesNotContainAnyElementsOf(ids);
    assertThat(cloud.disks().values()).noneMatch(d -> "DATA_DISK".equals(d.get("usage")));
    for (int i = 0; i < ids.size(); i++) {
      assertThat(ledgerOf(sim).effective("TerminateInstances", ids.get(i)))
          .as(ids.get(i))
          .isEqualTo(1);
      assertThat(ledgerOf(sim).effective("TerminateDisks", String.format("disk-many%04d", i)))
          .as("disk %d", i)
          .isEqualTo(i % 2 == 0 ? 0 : 1);
    }
    ledgerOf(sim).noDestroyCalls();
  }

  // ---------------------------------------------------------------- "Done" means gone

  @Test
  void aMistypedIdAndAWrongRegionEndFailedInstancesNotFoundAndTouchNothing() {
    start(
        world(
            w -> {
              w.instance("ins-real0001");
              w.disk("disk-real0001").on("ins-real0001");
            }),
        true);
    h.create("typo", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-typo0001"), s -> {});
    h.create(
        "region", Provider.TENCENTCLOUD, "ap-shanghai", KEYS, List.of("ins-real0001"), s -> {});

    for (String name : List.of("typo", "region")) {
      CloudInstanceDeletion r = h.awaitPhase(name, Phase.Failed, WAIT);
      assertThat(only(r).getOutcome()).isEqualTo(InstanceOutcome.NotFound);
      assertThat(condition(r, Conditions.FAILED).getReason()).isEqualTo("InstancesNotFound");
      assertThat(condition(r, Conditions.READY).getStatus()).isEqualTo("False");
      assertThat(r.getStatus().getMessage())
          .doesNotContain("deleted,")
          .contains("Nothing was deleted");
      String id = only(r).getId();
      String region = name.equals("region") ? "ap-shanghai" : REGION;
      assertThat(h.events(name))
          .anySatisfy(
              e -> {
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getReason()).isEqualTo("InstancesNotFound");
                assertThat(e.getMessage()).contains(id, region);
              });
    }
    assertThat(ledgerOf(sim).mutating()).as("no mutating call").isEmpty();
    assertThat(cloud.instances()).containsKey("ins-real0001");
    assertThat(cloud.disks()).containsKey("disk-real0001");
  }

  @Test
  void oneInstanceRefusedInABatchFailsAloneAndTheOthersAreDeletedWithTheirDisks() {
    start(
        world(
            w -> {
              for (String id : List.of("ins-bat00001", "ins-bat00002", "ins-bat00003")) {
                w.instance(id).name("ci-runner-" + id.substring(id.length() - 1));
                w.disk("disk-" + id.substring(4)).on(id);
              }
              FaultRule refuse =
                  FaultRule.error("TerminateInstances", "FailedOperation.Unreturnable", -1)
                      .target("ins-bat00002")
                      .message("The instance cannot be returned.");
              w.fault(refuse);
            }),
        true);
    h.create(
        "batch",
        Provider.TENCENTCLOUD,
        REGION,
        KEYS,
        List.of("ins-bat00001", "ins-bat00002", "ins-bat00003"),
        s -> {});

    CloudInstanceDeletion r = h.awaitPhase("batch", Phase.Failed, WAIT);
    Map<String, InstanceStatus> byId =
        r.getStatus().getInstances().stream()
            .collect(Collectors.toMap(InstanceStatus::getId, i -> i));
    assertThat(byId.get("ins-bat00001").getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(byId.get("ins-bat00003").getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(byId.get("ins-bat00002").getOutcome()).isEqualTo(InstanceOutcome.Failed);
    assertThat(byId.get("ins-bat00002").getError().getCode())
        .isEqualTo("FailedOperation.Unreturnable");
    assertThat(byId.get("ins-bat00002").getName())
        .as("the observed name is in the plan")
        .isEqualTo("ci-runner-2");
    assertThat(r.getStatus().getIntent())
        .as("the last mutating call, written before it was made")
        .isNotNull();
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-bat00001");
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-bat00003");
    ledgerOf(sim).neverEffective("TerminateInstances", "ins-bat00002");
    assertThat(cloud.disks())
        .as("the innocent instances' disks are gone")
        .containsOnlyKeys("disk-bat00002", "disk-sys-bat00002");
    assertThat(condition(r, Conditions.FAILED).getReason()).isEqualTo("PartiallyFailed");
    assertThat(r.getStatus().getLeftInCloud())
        .anySatisfy(l -> assertThat(l).startsWith("instance ins-bat00002"))
        .anySatisfy(l -> assertThat(l).startsWith("disk disk-bat00002"));
    assertThat(r.getStatus().getMessage()).startsWith("2 instances deleted");
  }

  @Test
  void
      keysRefusedAfterTheFirstTerminateWaitWithCredentialsValidFalseAndResumeWhenTheSecretIsFixed() {
    start(
        world(
            w -> {
              w.timing("shutdown", 1500);
              w.timing("terminate", 1500);
              w.instance("ins-rot00001");
              w.disk("disk-rot00001").on("ins-rot00001");
            }),
        true);
    h.create("rotate", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-rot00001"), s -> {});
    await()
        .atMost(WAIT)
        .until(() -> ledgerOf(sim).effective("TerminateInstances", "ins-rot00001") == 1);
    String rotated = "tc-it-rotated-away-7f31";
    setKeys(SECRET_ID, rotated);

    await()
        .atMost(WAIT)
        .until(
            () -> {
              CloudInstanceDeletion r = h.get("rotate");
              Condition c =
                  Conditions.get(r.getStatus().getConditions(), Conditions.CREDENTIALS_VALID);
              return c != null && c.getStatus().equals("False");
            });
    CloudInstanceDeletion waiting = h.get("rotate");
    assertThat(waiting.getStatus().getPhase())
        .as("never terminal after Pending")
        .isNotIn(Phase.Failed, Phase.Done);
    assertThat(condition(waiting, Conditions.CREDENTIALS_VALID).getReason())
        .isEqualTo("AuthFailureSignatureFailure");
    assertThat(condition(waiting, Conditions.CREDENTIALS_VALID).getMessage())
        .contains("Secret " + h.ns() + "/" + KEYS, "secretId, secretKey");
    assertThat(cloud.disks())
        .as("the detached disk waits, billed, for the fixed Secret")
        .containsKey("disk-rot00001");

    setKeys(SECRET_ID, SECRET_KEY);
    CloudInstanceDeletion r = h.awaitPhase("rotate", Phase.Done, WAIT);
    assertThat(condition(r, Conditions.CREDENTIALS_VALID).getStatus()).isEqualTo("True");
    assertThat(cloud.disks()).doesNotContainKey("disk-rot00001");
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-rot00001");
    assertNoSecretIn("rotate", rotated);
  }

  @Test
  void aNonElasticDiskOfAPrepaidInstanceGoesToTheRecycleBinWithItAndIsNeverDetached() {
    start(
        world(
            w -> {
              w.instance("ins-nel00001").prepaid();
              w.disk("disk-nel00001").on("ins-nel00001").prepaid().notPortable();
            }),
        true);
    h.create("nonelastic", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-nel00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("nonelastic", Phase.Done, WAIT);
    assertThat(only(r).getOutcome()).isEqualTo(InstanceOutcome.Recycled);
    assertThat(only(r).getDataDisks())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getAction()).isEqualTo(DiskAction.ReleaseWithInstance);
              assertThat(d.isReleased()).isTrue();
            });
    assertThat(ledgerOf(sim).calls("DetachDisks"))
        .as("no DetachDisks for a non-elastic disk")
        .isEmpty();
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-nel00001");
    ledgerOf(sim).noDestroyCalls();
  }

  @Test
  void aSpecChangedMidWayStopsWithSpecChangedAndMakesNoFurtherMutatingCall() {
    onMock =
        true; // a real server refuses the change (CEL self == oldSelf); the mock lets it through
    // like a server without CEL
    start(
        world(
            w -> {
              w.timing("shutdown", 1500);
              w.timing("terminate", 1500);
              w.instance("ins-chg00001");
              w.disk("disk-chg00001").on("ins-chg00001");
            }),
        true);
    h.create("changed", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-chg00001"), s -> {});
    await()
        .atMost(WAIT)
        .until(() -> ledgerOf(sim).effective("TerminateInstances", "ins-chg00001") == 1);
    h.patchSpec("changed", "{\"region\":\"ap-guangzhou\"}");
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Condition c =
                  Conditions.get(
                      h.get("changed").getStatus().getConditions(), Conditions.SPEC_CHANGED);
              return c != null && c.getStatus().equals("True");
            });
    long mutatingAtDrift = ledgerOf(sim).mutating().size();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> ledgerOf(sim).mutating().size() == mutatingAtDrift);
    CloudInstanceDeletion r = h.get("changed");
    assertThat(condition(r, Conditions.STALLED).getStatus()).isEqualTo("True");
    assertThat(r.getStatus().getRecorded().getRegion()).isEqualTo(REGION);
    assertThat(cloud.disks())
        .as("nothing released for a spec that no longer matches")
        .containsKey("disk-chg00001");

    h.client()
        .resources(CloudInstanceDeletion.class)
        .inNamespace(h.ns())
        .withName("changed")
        .delete();
    await().atMost(WAIT).until(() -> h.get("changed") == null);
    assertThat(cloud.disks())
        .as("deleting it finished the recorded plan")
        .doesNotContainKey("disk-chg00001");
  }

  @Test
  void aRecordedDiskSomeoneDetachesBeforeTheTerminateIsKeptNeverReleased() throws Exception {
    start(
        world(
            w -> {
              w.instance("ins-tak00001");
              w.disk("disk-tak00001").on("ins-tak00001");
              w.disk("disk-tak00002").on("ins-tak00001");
              // the first terminates are refused (retryable), which leaves time for someone else to
              // act
              w.fault(
                  FaultRule.error("TerminateInstances", "InternalError", 6).message("try again"));
            }),
        true);
    h.create("taken", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-tak00001"), s -> {});
    await().atMost(WAIT).until(() -> ledgerOf(sim).calls("TerminateInstances").size() >= 1);
    try (dev.teardown.cloud.CloudProvider someone =
        new dev.teardown.cloud.tencent.TencentProviderFactory()
            .connect(
                new dev.teardown.cloud.ConnectionSpec(
                    REGION,
                    null,
                    new dev.teardown.cloud.Credentials(
                        Map.of("secretId", SECRET_ID, "secretKey", SECRET_KEY)),
                    sim.endpoint(),
                    Duration.ofSeconds(2)))) {
      assertThat(someone.detachDisks("ins-tak00001", List.of("disk-tak00002")).failures())
          .isEmpty();
    }
    await()
        .atMost(WAIT)
        .until(() -> "UNATTACHED".equals(cloud.disks().get("disk-tak00002").get("state")));
    assertThat(ledgerOf(sim).effective("TerminateInstances", "ins-tak00001"))
        .as("the detach came before the terminate")
        .isZero();

    CloudInstanceDeletion r = h.awaitPhase("taken", Phase.Done, WAIT);
    assertThat(only(r).getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            tuple("disk-tak00001", DiskAction.Release), tuple("disk-tak00002", DiskAction.Retain));
    assertThat(ledgerOf(sim).calls("TerminateDisks"))
        .noneSatisfy(c -> assertThat(c.ids()).contains("disk-tak00002"));
    assertThat(cloud.disks()).containsKey("disk-tak00002").doesNotContainKey("disk-tak00001");
    assertThat(h.events("taken"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("DiskTaken");
              assertThat(e.getMessage()).contains("disk-tak00002");
            });
    assertThat(r.getStatus().getDisks()).isEqualTo("1/1, 1 kept");
  }

  @Test
  void aDiskSomeoneAttachesAfterThePlanBeforeTheTerminateJoinsThePlanAndIsReleased()
      throws Exception {
    start(
        world(
            w -> {
              w.instance("ins-joi00001");
              w.disk("disk-joi00001").on("ins-joi00001");
              // the first terminates are refused (retryable), which leaves time for someone else to
              // act
              w.fault(
                  FaultRule.error("TerminateInstances", "InternalError", 6).message("try again"));
            }),
        true);
    h.create("joined", Provider.TENCENTCLOUD, REGION, KEYS, List.of("ins-joi00001"), s -> {});
    await().atMost(WAIT).until(() -> ledgerOf(sim).calls("TerminateInstances").size() >= 1);
    CloudInstanceDeletion planned = h.get("joined");
    assertThat(planned.getStatus().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(only(planned).getDataDisks())
        .extracting(DiskStatus::getId)
        .containsExactly("disk-joi00001");
    sim.attachNewDisk(cloud.world().newDisk("disk-joi00002", "ins-joi00001", false));
    assertThat(ledgerOf(sim).effective("TerminateInstances", "ins-joi00001"))
        .as("the attach came before the terminate")
        .isZero();

    CloudInstanceDeletion r = h.awaitPhase("joined", Phase.Done, WAIT);
    assertThat(only(r).getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            tuple("disk-joi00001", DiskAction.Release), tuple("disk-joi00002", DiskAction.Release));
    assertThat(only(r).getDataDisks()).allSatisfy(d -> assertThat(d.isReleased()).isTrue());
    assertThat(h.events("joined"))
        .as("one event, though the terminate was retried")
        .filteredOn(e -> "DiskJoined".equals(e.getReason()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("disk-joi00002");
            });
    // A postpaid disk that does not go with the instance survives the terminate detached; Teardown
    // releases it.
    ledgerOf(sim).effectiveOnce("TerminateDisks", "disk-joi00002");
    assertThat(cloud.disks()).doesNotContainKeys("disk-joi00001", "disk-joi00002");
    assertThat(sim.orphanedDisks(List.of("ins-joi00001"))).isEmpty();
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
  }

  private void setKeys(String id, String key) {
    h.client()
        .secrets()
        .inNamespace(h.ns())
        .withName(KEYS)
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(Map.of("secretId", id, "secretKey", key));
              return s;
            });
  }

  // ---------------------------------------------------------------- helpers

  private void start(TestWorld world, boolean withKeys) {
    cloud = world.start();
    sim = cloud.sim();
    h =
        onMock
            ? OperatorHarness.startOnMock(cloud.endpoints(), ProviderRegistry.discover())
            : OperatorHarness.start(cloud.endpoints());
    if (withKeys) {
      h.secret(KEYS, world.secret());
    }
  }

  /**
   * A crash as far as Kubernetes is concerned: the API client goes first, so nothing in flight can
   * write after it.
   */
  private void crashDoomed() {
    if (doomedClient != null) {
      doomedClient.close();
      doomedClient = null;
    }
    if (doomed != null) {
      doomed.close();
      doomed = null;
    }
  }

  /** An operator configured as OperatorHarness configures its own, on the given API client. */
  private OperatorRuntime startOperator(KubernetesClient client) {
    return OperatorHarness.startOperator(client, h.config(), ProviderRegistry.discover());
  }

  private static TestWorld world(Consumer<TestWorld> fleet) {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .keys(SECRET_ID, SECRET_KEY)
            .timing("terminate", 200)
            .timing("shutdown", 200)
            .timing("detach", 200);
    fleet.accept(w);
    return w;
  }

  private static InstanceStatus only(CloudInstanceDeletion r) {
    assertThat(r.getStatus().getInstances()).hasSize(1);
    return r.getStatus().getInstances().get(0);
  }

  private static Condition condition(CloudInstanceDeletion r, String type) {
    Condition c = Conditions.get(r.getStatus().getConditions(), type);
    assertThat(c).as("condition " + type).isNotNull();
    return c;
  }

  private static void assertNoError(CloudInstanceDeletion r) {
    ErrorInfo e = r.getStatus().getLastError();
    assertThat(e == null ? null : e.getCode() + " on " + e.getAction() + ": " + e.getMessage())
        .as("lastError")
        .isNull();
  }

  /** Status and events of a deletion, serialized, hold none of the secret values. */
  private void assertNoSecretIn(String name, String... extraSecrets) {
    CloudInstanceDeletionStatus st = h.get(name).getStatus();
    String json = Serialization.asJson(st) + Serialization.asJson(h.events(name));
    assertThat(json).isNotBlank();
    List<String> secrets = new ArrayList<>(List.of(SECRET_KEY));
    secrets.addAll(List.of(extraSecrets));
    for (String s : secrets) {
      assertThat(json).doesNotContain(s);
    }
  }
}
