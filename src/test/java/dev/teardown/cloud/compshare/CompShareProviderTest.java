package dev.teardown.cloud.compshare;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.InstancePhase;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.compshare.CompShareSimulator;
import dev.teardown.testing.LedgerAssert;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CompShare adapter through the real UCloud SDK core against the CompShare simulator over HTTP.
 */
class CompShareProviderTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private SimCloud cloud;

  @AfterEach
  void closeAll() {
    if (cloud != null) {
      cloud.close();
    }
  }

  private CompShareSimulator sim(TestWorld world) {
    cloud = world.start();
    return cloud.sim();
  }

  private CloudProvider connect(String privateKey, Duration timeout) throws CloudException {
    return cloud.connect(cloud.world().keyId(), privateKey, timeout);
  }

  private CloudProvider connect() throws CloudException {
    return cloud.connect(Duration.ofSeconds(3));
  }

  private static CloudInstance running(String id, boolean spot) {
    return new CloudInstance(
        id, "Running", InstancePhase.RUNNING, spot ? "Spot" : "Postpay", false, false, null, spot);
  }

  private static TerminateRequest terminate(String id, boolean releaseDataDisks) {
    return new TerminateRequest(List.of(id), releaseDataDisks, false, false, "tok-" + id);
  }

  private static InstancePhase phaseOf(CloudProvider p, String id) throws CloudException {
    return p.describeInstances(List.of(id)).get(id).phase();
  }

  @Test
  void describeMapsStatesChargeTypesAndAnswersEveryId() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    Map<String, CloudInstance> got =
        p.describeInstances(List.of("uhost-run1", "uhost-stop1", "uhost-spot1", "uhost-nope"));

    assertThat(got).containsOnlyKeys("uhost-run1", "uhost-stop1", "uhost-spot1", "uhost-nope");
    assertThat(got.get("uhost-run1").phase()).isEqualTo(InstancePhase.RUNNING);
    assertThat(got.get("uhost-run1").prepaid()).isFalse();
    assertThat(got.get("uhost-stop1").phase()).isEqualTo(InstancePhase.STOPPED);
    assertThat(got.get("uhost-stop1").prepaid()).as("Month is a subscription").isTrue();
    assertThat(got.get("uhost-spot1").spot()).isTrue();
    assertThat(got.get("uhost-spot1").chargeType()).isEqualTo("Spot");
    assertThat(got.get("uhost-nope").phase()).isEqualTo(InstancePhase.GONE);
    LedgerAssert.assertThat(s)
        .callsOf("DescribeCompShareInstance")
        .hasSize(1)
        .allSatisfy(
            c ->
                assertThat(c.params())
                    .containsEntry("UHostIds.3", "uhost-nope")
                    .containsEntry("Zone", cloud.world().zone())
                    .containsEntry("Region", cloud.world().region()));
  }

  @Test
  void theInstancesAnswerCarriesItsDataDisksFromTheSameDiskSetInOneCall() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    Map<String, CloudInstance> seen =
        p.describeInstances(List.of("uhost-run1", "uhost-spot1", "uhost-nope"));

    assertThat(LedgerAssert.ledgerOf(s).calls("DescribeCompShareInstance")).hasSize(1);
    assertThat(seen.get("uhost-run1").dataDisks())
        .extracting(CloudDisk::id, CloudDisk::instanceId, CloudDisk::phase)
        .containsExactly(
            Tuple.tuple("bsm-r1a", "uhost-run1", DiskPhase.ATTACHED),
            Tuple.tuple("bsm-r1b", "uhost-run1", DiskPhase.ATTACHED));
    assertThat(seen.get("uhost-run1").dataDiskIds()).containsExactly("bsm-r1a", "bsm-r1b");
    assertThat(seen.get("uhost-spot1").dataDisks()).as("only the boot disk").isEmpty();
    assertThat(seen.get("uhost-nope").dataDisks()).as("gone lists nothing").isNull();
    assertThat(seen.get("uhost-run1").dataDisks())
        .as("the very disks a look-up by instance returns")
        .containsExactlyElementsOf(p.describeDataDisks(List.of("uhost-run1")).get("uhost-run1"));
  }

  @Test
  void describeDataDisksExcludesTheBootDiskAndKeysEveryInstance() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    Map<String, List<CloudDisk>> got =
        p.describeDataDisks(List.of("uhost-run1", "uhost-spot1", "uhost-nope"));

    assertThat(got).containsOnlyKeys("uhost-run1", "uhost-spot1", "uhost-nope");
    assertThat(got.get("uhost-run1"))
        .extracting(CloudDisk::id)
        .containsExactly("bsm-r1a", "bsm-r1b");
    assertThat(got.get("uhost-run1"))
        .allSatisfy(
            d -> {
              assertThat(d.phase()).isEqualTo(DiskPhase.ATTACHED);
              assertThat(d.instanceId()).isEqualTo("uhost-run1");
            });
    assertThat(got.get("uhost-spot1")).as("only the boot disk bsi-spot1").isEmpty();
    assertThat(got.get("uhost-nope")).isEmpty();
    assertThat(LedgerAssert.ledgerOf(s).calls("DescribeCompShareInstance"))
        .as("the DiskSets of all three come with one call")
        .hasSize(1);
    assertThat(p.capabilities().maxInstancesPerDiskLookup())
        .as("so look-ups of up to 100 instances are merged across deletions")
        .isEqualTo(100);

    Map<String, CloudDisk> disks = p.describeDisks(List.of("bsm-s1a", "bsm-never"));
    assertThat(disks.get("bsm-s1a").phase()).isEqualTo(DiskPhase.ATTACHED);
    assertThat(disks.get("bsm-s1a").instanceId()).isEqualTo("uhost-stop1");
    assertThat(disks.get("bsm-never").phase()).isEqualTo(DiskPhase.GONE);
  }

  @Test
  void describeSplitsMoreThanOneHundredIdsIntoCallsOfAHundred() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      ids.add("uhost-x" + i);
    }
    ids.add("uhost-run1");

    Map<String, CloudInstance> got = p.describeInstances(ids);

    assertThat(got).hasSize(151);
    assertThat(got.get("uhost-run1").phase()).isEqualTo(InstancePhase.RUNNING);
    LedgerAssert.assertThat(s)
        .callsOf("DescribeCompShareInstance")
        .hasSize(2)
        .allSatisfy(c -> assertThat(c.ok()).isTrue());
  }

  @Test
  void describeAsksOneByOneIfTheCloudRefusesABatchAsNotFound() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();
    s.faults()
        .add(
            FaultRule.error("DescribeCompShareInstance", "8039", 1)
                .message("UHost [uhost-nope] not exist"));

    Map<String, CloudInstance> got = p.describeInstances(List.of("uhost-run1", "uhost-nope"));

    assertThat(got.get("uhost-run1").phase()).isEqualTo(InstancePhase.RUNNING);
    assertThat(got.get("uhost-nope").phase()).isEqualTo(InstancePhase.GONE);
    LedgerAssert.assertThat(s)
        .callsOf("DescribeCompShareInstance")
        .extracting(CallLedger.Call::outcome, c -> c.ids().size())
        .containsExactly(Tuple.tuple("8039", 2), Tuple.tuple("OK", 1), Tuple.tuple("OK", 1));
  }

  @Test
  void stopTakesARunningInstanceToStoppedWithoutForce() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    BatchResult r = p.stopInstances(List.of(running("uhost-run1", false)));

    assertThat(r.failures()).isEmpty();
    assertThat(r.requestId()).isNotBlank();
    assertThat(phaseOf(p, "uhost-run1"))
        .as("Stopping right after the call")
        .isEqualTo(InstancePhase.BUSY);
    await().atMost(WAIT).until(() -> phaseOf(p, "uhost-run1") == InstancePhase.STOPPED);
    LedgerAssert.assertThat(s)
        .callsOf("StopCompShareInstance")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.effective()).isTrue();
              assertThat(c.params()).doesNotContainKey("Force");
            });
  }

  @Test
  void stoppingASpotInstanceSendsForce() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();
    CloudInstance spot = p.describeInstances(List.of("uhost-spot1")).get("uhost-spot1");

    BatchResult r = p.stopInstances(List.of(spot));

    assertThat(r.failures()).isEmpty();
    LedgerAssert.assertThat(s)
        .callsOf("StopCompShareInstance")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ok()).isTrue();
              assertThat(c.params()).containsEntry("Force", "true");
            });
    await().atMost(WAIT).until(() -> phaseOf(p, "uhost-spot1") == InstancePhase.STOPPED);
  }

  @Test
  void stopFailureOfOneInstanceIsReportedPerId() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    // The spot instance passed without the spot flag: the cloud refuses a stop without Force for
    // it.
    BatchResult r =
        p.stopInstances(List.of(running("uhost-spot1", false), running("uhost-run1", false)));

    assertThat(r.failures()).containsOnlyKeys("uhost-spot1");
    assertThat(r.failures().get("uhost-spot1").kind()).isEqualTo(ErrorKind.TERMINAL);
    LedgerAssert.assertThat(s)
        .callsOf("StopCompShareInstance")
        .extracting(CallLedger.Call::outcome)
        .containsExactly("230", "OK");
  }

  @Test
  void terminateOfARunningInstanceIsRefusedByTheCloudAndChangesNothing() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    assertThatThrownBy(() -> p.terminateInstances(terminate("uhost-run1", true)))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
              assertThat(e.error().code()).isEqualTo("8012");
              assertThat(e.error().action()).isEqualTo("TerminateCompShareInstance");
              assertThat(e.error().requestId()).isNotBlank();
              assertThat(e.error().message()).contains("only Stopped");
            });

    LedgerAssert.assertThat(s)
        .callsOf("TerminateCompShareInstance")
        .singleElement()
        .satisfies(c -> assertThat(c.effective()).isFalse());
    assertThat(phaseOf(p, "uhost-run1")).isEqualTo(InstancePhase.RUNNING);
    assertThat(p.describeDataDisks(List.of("uhost-run1")).get("uhost-run1")).hasSize(2);
  }

  @Test
  void terminateWithReleaseUDiskTakesTheDataDisksAlong() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();
    CloudInstance inst = p.describeInstances(List.of("uhost-stop1")).get("uhost-stop1");
    CloudDisk disk = p.describeDataDisks(List.of("uhost-stop1")).get("uhost-stop1").get(0);
    assertThat(p.releasedWithInstance(inst, disk, true)).isTrue();

    BatchResult r = p.terminateInstances(terminate("uhost-stop1", true));

    assertThat(r.failures()).isEmpty();
    LedgerAssert.assertThat(s)
        .callsOf("TerminateCompShareInstance")
        .singleElement()
        .satisfies(c -> assertThat(c.params()).containsEntry("ReleaseUDisk", "true"));
    await().atMost(WAIT).until(() -> phaseOf(p, "uhost-stop1") == InstancePhase.GONE);
    assertThat(cloud.disk("bsm-s1a")).containsEntry("state", "Deleted");
    assertThat(s.orphanedDisks(List.of("uhost-stop1"))).isEmpty();
    assertThat(p.describeDisks(List.of("bsm-s1a")).get("bsm-s1a").phase())
        .isEqualTo(DiskPhase.GONE);
  }

  @Test
  void terminateWithoutReleaseUDiskLeavesTheDataDisksThenTheyAreDeletedSeparately()
      throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();
    CloudInstance inst = p.describeInstances(List.of("uhost-stop1")).get("uhost-stop1");
    CloudDisk disk = p.describeDataDisks(List.of("uhost-stop1")).get("uhost-stop1").get(0);
    assertThat(p.releasedWithInstance(inst, disk, false)).isFalse();

    p.terminateInstances(terminate("uhost-stop1", false));

    LedgerAssert.assertThat(s)
        .callsOf("TerminateCompShareInstance")
        .singleElement()
        .satisfies(c -> assertThat(c.params()).containsEntry("ReleaseUDisk", "false"));
    await().atMost(WAIT).until(() -> phaseOf(p, "uhost-stop1") == InstancePhase.GONE);
    assertThat(cloud.disk("bsm-s1a"))
        .containsEntry("state", "Available")
        .containsEntry("instanceId", null);
    assertThat(s.orphanedDisks(List.of("uhost-stop1"))).containsExactly("bsm-s1a");

    BatchResult deleted = p.releaseDisks(new ReleaseDisksRequest(List.of("bsm-s1a"), false, "tok"));

    assertThat(deleted.failures()).isEmpty();
    assertThat(s.orphanedDisks(List.of("uhost-stop1"))).isEmpty();
  }

  @Test
  void detachThenDeleteADiskAndDeletingItAgainSucceeds() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    BatchResult detached = p.detachDisks("uhost-stop1", List.of("bsm-s1a"));

    assertThat(detached.failures()).isEmpty();
    await()
        .atMost(WAIT)
        .until(() -> p.describeDataDisks(List.of("uhost-stop1")).get("uhost-stop1").isEmpty());
    assertThat(cloud.disk("bsm-s1a")).containsEntry("state", "Available");

    BatchResult first = p.releaseDisks(new ReleaseDisksRequest(List.of("bsm-s1a"), false, "tok"));
    BatchResult again = p.releaseDisks(new ReleaseDisksRequest(List.of("bsm-s1a"), false, "tok"));

    assertThat(first.failures()).isEmpty();
    assertThat(again.failures())
        .as("the cloud answers success for an already deleted disk")
        .isEmpty();
    assertThat(cloud.disk("bsm-s1a")).containsEntry("state", "Deleted");
    LedgerAssert.assertThat(s)
        .callsOf("DeleteCompshareDisk")
        .extracting(CallLedger.Call::outcome, CallLedger.Call::effective)
        .containsExactly(Tuple.tuple("OK", true), Tuple.tuple("OK", false));
  }

  @Test
  void detachIsRefusedWhileRunningAndForTheBootDisk() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    assertThatThrownBy(() -> p.detachDisks("uhost-run1", List.of("bsm-r1a")))
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE));
    assertThatThrownBy(() -> p.detachDisks("uhost-stop1", List.of("bsi-stop1")))
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.TERMINAL));

    LedgerAssert.assertThat(s)
        .callsOf("DetachCompshareDisk")
        .extracting(CallLedger.Call::outcome)
        .containsExactly("8012", "230");
    assertThat(p.describeDataDisks(List.of("uhost-run1")).get("uhost-run1")).hasSize(2);
  }

  @Test
  void detachOrDeleteOfSomethingAlreadyGoneIsDoneNotAnError() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();

    BatchResult detach = p.detachDisks("uhost-stop1", List.of("bsm-free1"));
    BatchResult delete =
        p.releaseDisks(new ReleaseDisksRequest(List.of("bsm-never"), false, "tok"));
    BatchResult term = p.terminateInstances(terminate("uhost-nope", true));

    assertThat(detach.failures().get("bsm-free1").kind())
        .as("not attached to it")
        .isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(delete.failures().get("bsm-never").kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(term.failures().get("uhost-nope").kind()).isEqualTo(ErrorKind.NOT_FOUND);
    ledgerOf(s).allCalls().noneMatch(CallLedger.Call::effective);
  }

  @Test
  void lockContentionIsRetryableWithTheRemainingLockAsHint() throws Exception {
    TestWorld w = TestWorld.compShareStandard();
    w.timing("stop", 5000); // the stop outlasts the 1500 ms lock
    CompShareSimulator s = sim(w);
    CloudProvider p = connect();
    p.stopInstances(List.of(running("uhost-run1", false)));

    assertThatThrownBy(() -> p.terminateInstances(terminate("uhost-run1", true)))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              CloudError err = e.error();
              assertThat(err.kind()).isEqualTo(ErrorKind.RETRYABLE);
              assertThat(err.code()).isEqualTo("8010");
              assertThat(err.message()).contains("InstanceOperationInProgress");
              assertThat(err.retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
            });
    assertThatThrownBy(() -> p.detachDisks("uhost-run1", List.of("bsm-r1a")))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> assertThat(e.error().message()).contains("InstanceOperationInProgress"));

    ledgerOf(s)
        .allCalls()
        .extracting(CallLedger.Call::action, CallLedger.Call::outcome, CallLedger.Call::effective)
        .containsExactly(
            Tuple.tuple("StopCompShareInstance", "OK", true),
            Tuple.tuple("TerminateCompShareInstance", "8010", false),
            Tuple.tuple("DetachCompshareDisk", "8010", false));
    // After the TTL the lock is gone, and the instance is still Stopping: a terminate now meets the
    // state rule.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> p.terminateInstances(terminate("uhost-run1", true)))
                    .isInstanceOfSatisfying(
                        CloudException.class, e -> assertThat(e.error().code()).isEqualTo("8012")));
  }

  @Test
  void lockIsReleasedWhenTheStopCompletes() throws Exception {
    TestWorld w = TestWorld.compShareStandard();
    w.timing("lock", 600_000); // the documented 10 minutes
    CompShareSimulator s = sim(w);
    CloudProvider p = connect();
    p.stopInstances(List.of(running("uhost-run1", false)));

    await().atMost(WAIT).until(() -> phaseOf(p, "uhost-run1") == InstancePhase.STOPPED);
    BatchResult r = p.terminateInstances(terminate("uhost-run1", true));

    assertThat(r.failures()).isEmpty();
    LedgerAssert.assertThat(s)
        .callsOf("TerminateCompShareInstance")
        .singleElement()
        .satisfies(c -> assertThat(c.ok()).isTrue());
  }

  @Test
  void wrongPrivateKeyIsACredentialsErrorSignatureError() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect("not-the-private-key", Duration.ofSeconds(3));

    assertThatThrownBy(() -> p.describeInstances(List.of("uhost-run1")))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(ErrorKind.CREDENTIALS);
              assertThat(e.error().code()).isEqualTo("171");
              assertThat(e.error().message())
                  .contains("Signature VerifyAC Error")
                  .contains("privateKey");
              assertThat(e.getMessage()).doesNotContain("not-the-private-key");
            });
    ledgerOf(s).allCalls().singleElement().satisfies(c -> assertThat(c.outcome()).isEqualTo("171"));
  }

  @Test
  void http502IsSentOnceBecauseTheSdkRetriesAreOff() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect();
    FaultRule badGateway = new FaultRule().type(FaultRule.Type.HTTP_ERROR);
    badGateway.action = "DescribeCompShareInstance";
    badGateway.httpStatus = 502;
    s.faults().add(badGateway);

    assertThatThrownBy(() -> p.describeInstances(List.of("uhost-run1")))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
              assertThat(e.error().code()).isEqualTo("HTTP502");
            });
    ledgerOf(s)
        .allCalls()
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo("HTTP_502"));

    assertThat(phaseOf(p, "uhost-run1")).isEqualTo(InstancePhase.RUNNING);
    assertThat(ledgerOf(s).size()).isEqualTo(2);
  }

  @Test
  void aLostTerminateAnswerIsRetryableAndSentOnce() throws Exception {
    CompShareSimulator s = sim(TestWorld.compShareStandard());
    CloudProvider p = connect(cloud.world().secretKey(), Duration.ofMillis(300));
    s.faults()
        .add(
            FaultRule.error("TerminateCompShareInstance", null, 1)
                .type(FaultRule.Type.TIMEOUT_AFTER_APPLY)
                .delayMs(1000));

    assertThatThrownBy(() -> p.terminateInstances(terminate("uhost-stop1", true)))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
              assertThat(e.error().code()).isEqualTo("NetworkError");
            });
    LedgerAssert.assertThat(s)
        .callsOf("TerminateCompShareInstance")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.effective()).as("the cloud did it, the answer was lost").isTrue();
              assertThat(c.params()).containsEntry("_fault", "TIMEOUT_AFTER_APPLY");
            });
    await().atMost(WAIT).until(() -> phaseOf(p, "uhost-stop1") == InstancePhase.GONE);
  }

  @Test
  void rateLimitIsThrottled() throws Exception {
    TestWorld w = TestWorld.compShareStandard();
    w.rateLimit("DescribeCompShareInstance", 1);
    CompShareSimulator s = sim(w);
    CloudProvider p = connect();
    p.describeInstances(List.of("uhost-run1"));

    assertThatThrownBy(() -> p.describeInstances(List.of("uhost-run1")))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(ErrorKind.THROTTLED);
              assertThat(e.error().retryAfter()).isPositive();
            });
    ledgerOf(s).allCalls().extracting(CallLedger.Call::outcome).containsExactly("OK", "2003");
  }

  @Test
  void factoryIsRegisteredAndRequiresKeysAndZone() {
    CloudProviderFactory f =
        ServiceLoader.load(CloudProviderFactory.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x.provider() == Provider.UCLOUD_COMPSHARE)
            .findFirst()
            .orElseThrow();
    assertThat(f.requiredSecretKeys()).containsExactly("publicKey", "privateKey");

    Credentials keys = new Credentials(Map.of("publicKey", "p", "privateKey", "secret-value"));
    assertThatThrownBy(
            () -> f.connect(new ConnectionSpec("cn-wlcb", null, keys, null, Duration.ofSeconds(1))))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(ErrorKind.TERMINAL);
              assertThat(e.error().message()).contains("spec.zone");
            });
    Credentials noPrivate = new Credentials(Map.of("publicKey", "p"));
    assertThatThrownBy(
            () -> f.connect(new ConnectionSpec("cn-wlcb", "cn-wlcb-01", noPrivate, null, null)))
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.error().message()).contains("privateKey"));
  }
}
