package dev.teardown.cloud.volcengine;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CloudDisk;
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
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.tencent.MutableClock;
import dev.teardown.sim.volcengine.VolcengineSimulator;
import dev.teardown.testing.LedgerAssert;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Volcengine adapter through the real volcengine-java-sdk-core against the wire-level
 * simulator.
 */
class VolcengineProviderTest {

  static final String AK = "AKLTdGVhcmRvd24tdGVzdA";
  static final String SK = "c2VjcmV0LWZvci10ZXN0cw==";
  static final String REGION = "cn-beijing";
  static final Duration WAIT = Duration.ofSeconds(5);

  SimCloud cloud;
  VolcengineSimulator sim;
  CloudProvider provider;

  @AfterEach
  void tearDown() {
    if (cloud != null) {
      cloud.close();
    }
  }

  static TestWorld world() {
    TestWorld w =
        TestWorld.of(Provider.VOLCENGINE)
            .region(REGION)
            .keys(AK, SK)
            .timing("terminate", 200)
            .timing("detach", 150)
            .timing("release", 100);
    w.instance("i-post1");
    w.instance("i-post2").stopped();
    w.instance("i-pre1").prepaid();
    w.instance("i-preexp").stopped().prepaid().expired();
    w.instance("i-prot").deletionProtection();
    w.disk("vol-d1").on("i-post1").deleteWithInstance();
    w.disk("vol-d2").on("i-post1");
    w.disk("vol-d3").on("i-post2");
    w.disk("vol-pre").prepaid();
    return w;
  }

  void start(TestWorld w) throws CloudException {
    start(w, Duration.ofSeconds(3));
  }

  /** With a clock the test moves by hand, transitions end exactly when the test says. */
  void start(TestWorld w, java.time.Clock clock) throws CloudException {
    cloud = w.start(clock);
    sim = cloud.sim();
    provider = connect(AK, SK, Duration.ofSeconds(3));
  }

  void start(TestWorld w, Duration timeout) throws CloudException {
    cloud = w.start();
    sim = cloud.sim();
    provider = connect(AK, SK, timeout);
  }

  CloudProvider connect(String ak, String sk, Duration timeout) throws CloudException {
    return cloud.connect(ak, sk, timeout);
  }

  static TerminateRequest terminate(String token, String... ids) {
    return new TerminateRequest(List.of(ids), false, false, false, token);
  }

  List<CallLedger.Call> calls(String action) {
    return LedgerAssert.assertThat(sim).calls(action);
  }

  @Test
  void factoryIsRegisteredAndNamesTheSecretKeys() {
    List<CloudProviderFactory> factories =
        StreamSupport.stream(ServiceLoader.load(CloudProviderFactory.class).spliterator(), false)
            .toList();
    assertThat(factories)
        .anySatisfy(
            f -> {
              assertThat(f).isInstanceOf(VolcengineProviderFactory.class);
              assertThat(f.requiredSecretKeys()).containsExactly("accessKeyId", "secretAccessKey");
            });
  }

  @Test
  void missingSecretKeyIsTerminalAndNamesTheKey() {
    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () ->
                new VolcengineProviderFactory()
                    .connect(
                        new ConnectionSpec(
                            REGION,
                            null,
                            new Credentials(Map.of("accessKeyId", AK)),
                            null,
                            Duration.ofSeconds(1))));
    assertThat(e.error().kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(e.error().message()).contains("secretAccessKey");
  }

  @Test
  void describesInstancesWithPhasesChargeTypesAndGone() throws Exception {
    start(world());

    Map<String, CloudInstance> got =
        provider.describeInstances(
            List.of("i-post1", "i-post2", "i-pre1", "i-preexp", "i-prot", "i-missing"));

    assertThat(got)
        .containsOnlyKeys("i-post1", "i-post2", "i-pre1", "i-preexp", "i-prot", "i-missing");
    assertThat(got.get("i-post1").phase()).isEqualTo(InstancePhase.RUNNING);
    assertThat(got.get("i-post1").prepaid()).isFalse();
    assertThat(got.get("i-post1").notDeletableReason()).isNull();
    assertThat(got.get("i-post2").phase()).isEqualTo(InstancePhase.STOPPED);
    assertThat(got.get("i-pre1").prepaid()).isTrue();
    assertThat(got.get("i-pre1").chargeType()).isEqualTo("PrePaid");
    assertThat(got.get("i-pre1").notDeletableReason())
        .isEqualTo(
            "i-pre1 is a prepaid (subscription) instance that has not expired; Volcengine deletes only "
                + "pay-as-you-go or expired prepaid instances: convert it to pay-as-you-go in the console or wait for "
                + "expiry, then re-create this CloudInstanceDeletion");
    assertThat(got.get("i-preexp").prepaid()).isTrue();
    assertThat(got.get("i-preexp").notDeletableReason())
        .as("expired prepaid can be deleted")
        .isNull();
    assertThat(got.get("i-prot").deletionProtected()).isTrue();
    assertThat(got.get("i-prot").notDeletableReason())
        .contains("deletion protection is on for i-prot");
    assertThat(got.get("i-missing").phase()).isEqualTo(InstancePhase.GONE);
    assertThat(calls("DescribeInstances"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ok()).isTrue();
              assertThat(c.effective()).isFalse();
              assertThat(c.params())
                  .containsEntry("MaxResults", "100")
                  .containsEntry("InstanceIds.6", "i-missing");
            });
  }

  @Test
  void describesDataVolumesOnlyNeverTheSystemVolume() throws Exception {
    start(world());
    String systemVolume = VolcengineSimulator.systemVolumeId("i-post1");
    assertThat(sim.volumeStatus(systemVolume))
        .as("the simulator gives each instance a system volume")
        .contains("attached");

    Map<String, List<CloudDisk>> got =
        provider.describeDataDisks(List.of("i-post1", "i-post2", "i-missing"));

    assertThat(got).containsOnlyKeys("i-post1", "i-post2", "i-missing");
    assertThat(got.get("i-post1")).extracting(CloudDisk::id).containsExactly("vol-d1", "vol-d2");
    assertThat(got.get("i-post1"))
        .allSatisfy(
            d -> {
              assertThat(d.phase()).isEqualTo(DiskPhase.ATTACHED);
              assertThat(d.instanceId()).isEqualTo("i-post1");
              assertThat(d.prepaid()).isFalse();
            });
    assertThat(got.get("i-post1"))
        .extracting(CloudDisk::deleteWithInstance)
        .containsExactly(true, false);
    assertThat(got.get("i-post2")).extracting(CloudDisk::id).containsExactly("vol-d3");
    assertThat(got.get("i-missing")).isEmpty();
    assertThat(calls("DescribeVolumes"))
        .allSatisfy(c -> assertThat(c.params()).containsEntry("Kind", "data"));

    Map<String, CloudDisk> byId = provider.describeDisks(List.of("vol-pre", "vol-d3", "vol-nope"));
    assertThat(byId.get("vol-pre").phase()).isEqualTo(DiskPhase.AVAILABLE);
    assertThat(byId.get("vol-pre").prepaid()).isTrue();
    assertThat(byId.get("vol-pre").instanceId()).isNull();
    assertThat(byId.get("vol-d3").phase()).isEqualTo(DiskPhase.ATTACHED);
    assertThat(byId.get("vol-nope").phase()).isEqualTo(DiskPhase.GONE);
  }

  @Test
  void theInstancesAnswerListsItsDataVolumeIdsNeverTheSystemVolume() throws Exception {
    start(world());
    Map<String, CloudInstance> seen =
        provider.describeInstances(List.of("i-post1", "i-post2", "i-missing"));
    assertThat(seen.get("i-post1").dataDiskIds()).containsExactly("vol-d1", "vol-d2");
    assertThat(seen.get("i-post2").dataDiskIds()).containsExactly("vol-d3");
    assertThat(seen.get("i-post1").dataDiskIds())
        .doesNotContain(VolcengineSimulator.systemVolumeId("i-post1"));
    assertThat(seen.get("i-missing").dataDiskIds()).as("gone lists nothing").isNull();
    assertThat(seen.get("i-post1").dataDisks())
        .as("ids only: the state, DeleteWithInstance and billing come from DescribeVolumes")
        .isNull();
    assertThat(calls("DescribeVolumes")).as("listing the ids takes no call").isEmpty();
  }

  @Test
  void aVolumesListWithoutAKindGivesNoHintSoTheVolumesAreLookedUpByInstance() {
    assertThat(
            VolcengineProvider.listedDataVolumes(
                Map.of(
                    "Volumes",
                    List.of(
                        Map.of("VolumeId", "vol-sys", "Kind", "system"),
                        Map.of("VolumeId", "vol-a", "Kind", "data")))))
        .containsExactly("vol-a");
    assertThat(
            VolcengineProvider.listedDataVolumes(
                Map.of(
                    "Volumes",
                    List.of(
                        Map.of("VolumeId", "vol-sys"),
                        Map.of("VolumeId", "vol-a", "Kind", "data")))))
        .as("a volume of unknown kind could be the system volume")
        .isNull();
    assertThat(
            VolcengineProvider.listedDataVolumes(
                Map.of("Volumes", List.of(Map.of("Kind", "data")))))
        .isNull();
    assertThat(VolcengineProvider.listedDataVolumes(Map.of("InstanceId", "i-x"))).isNull();
    assertThat(VolcengineProvider.listedDataVolumes(Map.of("Volumes", List.of()))).isEmpty();
  }

  @Test
  void mixedDeleteInstancesBatchReportsPerInstanceFailures() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    start(world(), clock);

    BatchResult r =
        provider.terminateInstances(
            terminate("cid-uid-1-batch-0", "i-post1", "i-pre1", "i-missing"));

    assertThat(r.requestId()).isNotBlank();
    assertThat(r.failed("i-post1")).isFalse();
    assertThat(r.failures().get("i-pre1").kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(r.failures().get("i-pre1").code()).isEqualTo("InvalidInstanceChargeType");
    assertThat(r.failures().get("i-pre1").message())
        .contains("i-pre1 is a prepaid (subscription) instance");
    assertThat(r.failures().get("i-pre1").action()).isEqualTo("DeleteInstances");
    assertThat(r.failures().get("i-missing").kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(r.failures().get("i-missing").code()).isEqualTo("InvalidInstance.NotFound");
    assertThat(sim.instanceStatus("i-pre1")).contains("RUNNING");
    assertThat(calls("DeleteInstances"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ok()).isTrue();
              assertThat(c.effective()).isTrue();
              assertThat(c.params()).containsEntry("ClientToken", "cid-uid-1-batch-0");
            });

    assertThat(provider.describeInstances(List.of("i-post1")).get("i-post1").phase())
        .as("DELETING is a transition")
        .isEqualTo(InstancePhase.BUSY);
    clock.advance(Duration.ofSeconds(1));
    assertThat(provider.describeInstances(List.of("i-post1")).get("i-post1").phase())
        .isEqualTo(InstancePhase.GONE);
  }

  @Test
  void deletionProtectionIsAPerInstanceTerminalFailure() throws Exception {
    start(world());

    BatchResult r = provider.terminateInstances(terminate("tok-prot", "i-prot", "i-preexp"));

    assertThat(r.failures()).containsOnlyKeys("i-prot");
    assertThat(r.failures().get("i-prot").kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(r.failures().get("i-prot").message())
        .contains("deletion protection is on for i-prot");
    assertThat(sim.instanceStatus("i-preexp"))
        .as("expired prepaid is accepted")
        .contains("DELETING");
  }

  @Test
  void volumesFollowDeleteWithInstance() throws Exception {
    start(world());
    CloudInstance inst = provider.describeInstances(List.of("i-post1")).get("i-post1");
    Map<String, CloudDisk> disks =
        provider.describeDataDisks(List.of("i-post1")).get("i-post1").stream()
            .collect(Collectors.toMap(CloudDisk::id, d -> d));
    assertThat(provider.releasedWithInstance(inst, disks.get("vol-d1"), false)).isTrue();
    assertThat(provider.releasedWithInstance(inst, disks.get("vol-d2"), true)).isFalse();

    provider.terminateInstances(terminate("tok-fate", "i-post1"));
    await().atMost(WAIT).until(() -> sim.instanceStatus("i-post1").isEmpty());

    Map<String, CloudDisk> after = provider.describeDisks(List.of("vol-d1", "vol-d2"));
    assertThat(after.get("vol-d1").phase())
        .as("DeleteWithInstance=true went with the instance")
        .isEqualTo(DiskPhase.GONE);
    assertThat(after.get("vol-d2").phase())
        .as("DeleteWithInstance=false survives, unattached")
        .isEqualTo(DiskPhase.AVAILABLE);
    assertThat(after.get("vol-d2").instanceId()).isNull();
    assertThat(sim.volumeStatus(VolcengineSimulator.systemVolumeId("i-post1"))).isEmpty();
    assertThat(sim.orphanedDisks(List.of("i-post1"))).containsExactly("vol-d2");

    provider.releaseDisks(new ReleaseDisksRequest(List.of("vol-d2"), false, "tok-fate-disks"));
    assertThat(sim.orphanedDisks(List.of("i-post1"))).isEmpty();
    await()
        .atMost(WAIT)
        .until(
            () ->
                provider.describeDisks(List.of("vol-d2")).get("vol-d2").phase() == DiskPhase.GONE);
  }

  @Test
  void lostAnswerThenRetryWithTheSameClientTokenDeletesOnce() throws Exception {
    TestWorld w = world();
    w.timing("terminate", 1200); // still DELETING when the client has given up and asks again
    FaultRule timeout = new FaultRule().type(FaultRule.Type.TIMEOUT_AFTER_APPLY).delayMs(1500);
    timeout.action = "DeleteInstances";
    w.fault(timeout);
    start(w, Duration.ofMillis(400));

    CloudException lost =
        catchThrowableOfType(
            CloudException.class,
            () -> provider.terminateInstances(terminate("cid-uid-2-batch-0", "i-post2")));
    assertThat(lost.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(lost.error().code()).isEqualTo(VolcengineErrors.NETWORK_ERROR);
    assertThat(sim.instanceStatus("i-post2"))
        .as("the cloud did it although the answer was lost")
        .contains("DELETING");

    BatchResult retried = provider.terminateInstances(terminate("cid-uid-2-batch-0", "i-post2"));

    assertThat(retried.failures()).isEmpty();
    assertThat(ledgerOf(sim).count("DeleteInstances", "i-post2")).isEqualTo(2);
    ledgerOf(sim).effectiveOnce("DeleteInstances", "i-post2");
    assertThat(calls("DeleteInstances"))
        .extracting(CallLedger.Call::effective)
        .containsExactly(true, false);
    await().atMost(WAIT).until(() -> sim.instanceStatus("i-post2").isEmpty());
  }

  @Test
  void sameClientTokenForOtherInstancesIsIdempotentParameterMismatch() throws Exception {
    start(world());
    provider.terminateInstances(terminate("tok-reused", "i-post1"));

    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () -> provider.terminateInstances(terminate("tok-reused", "i-post2")));

    assertThat(e.error().kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(e.error().code()).isEqualTo("IdempotentParameterMismatch");
    assertThat(e.error().message()).contains("bug in Teardown");
    assertThat(e.error().requestId()).isNotBlank();
    assertThat(sim.instanceStatus("i-post2"))
        .as("nothing happened to the second instance")
        .contains("STOPPED");
    assertThat(calls("DeleteInstances"))
        .extracting(CallLedger.Call::outcome)
        .containsExactly("OK", "IdempotentParameterMismatch");
  }

  @Test
  void detachesThenDeletesAVolume() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    start(world(), clock);

    CloudException early =
        catchThrowableOfType(
            CloudException.class,
            () ->
                provider.releaseDisks(
                    new ReleaseDisksRequest(List.of("vol-d3"), false, "tok-vol")));
    assertThat(early.error().kind())
        .as("attached volume: wait and retry")
        .isEqualTo(ErrorKind.RETRYABLE);
    assertThat(early.error().code()).isEqualTo("IncorrectDiskStatus");

    BatchResult detached = provider.detachDisks("i-post2", List.of("vol-d3"));
    assertThat(detached.failures()).isEmpty();
    assertThat(provider.describeDisks(List.of("vol-d3")).get("vol-d3").phase())
        .isEqualTo(DiskPhase.BUSY);
    clock.advance(Duration.ofSeconds(1));
    assertThat(provider.describeDisks(List.of("vol-d3")).get("vol-d3").phase())
        .isEqualTo(DiskPhase.AVAILABLE);
    assertThat(provider.describeDataDisks(List.of("i-post2")).get("i-post2")).isEmpty();

    BatchResult released =
        provider.releaseDisks(new ReleaseDisksRequest(List.of("vol-d3"), false, "tok-vol"));
    assertThat(released.failures()).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(provider.describeDisks(List.of("vol-d3")).get("vol-d3").phase())
        .isEqualTo(DiskPhase.GONE);

    BatchResult again =
        provider.releaseDisks(new ReleaseDisksRequest(List.of("vol-d3"), false, "tok-vol-2"));
    assertThat(again.failures().get("vol-d3").kind())
        .as("already gone is done")
        .isEqualTo(ErrorKind.NOT_FOUND);

    List<CallLedger.Call> deletes = calls("DeleteVolume");
    assertThat(deletes)
        .extracting(CallLedger.Call::outcome)
        .containsExactly("IncorrectDiskStatus", "OK", "VolumeNotFound");
    assertThat(deletes.get(1).effective()).isTrue();
    assertThat(deletes.get(1).params().get("ClientToken")).isEqualTo("tok-vol-vol-d3");
  }

  @Test
  void aReleaseOfSeveralVolumesStoppedByThrottlingIsSentAgainWithTheSameTokensAndDeletesOnce()
      throws Exception {
    TestWorld w = world();
    w.disk("vol-free1");
    w.disk("vol-free2");
    FaultRule throttled = FaultRule.error("DeleteVolume", "FlowLimitExceeded", 1);
    throttled.after = 1;
    w.fault(throttled);
    start(w);
    ReleaseDisksRequest both =
        new ReleaseDisksRequest(List.of("vol-free1", "vol-free2"), false, "tok-merged");

    CloudException e =
        catchThrowableOfType(CloudException.class, () -> provider.releaseDisks(both));
    assertThat(e.error().kind()).as("throttling stops the loop").isEqualTo(ErrorKind.THROTTLED);
    BatchResult retried = provider.releaseDisks(both);

    assertThat(retried.failures()).isEmpty();
    List<CallLedger.Call> deletes = calls("DeleteVolume");
    assertThat(deletes)
        .extracting(c -> c.ids().get(0))
        .containsExactly("vol-free1", "vol-free2", "vol-free1", "vol-free2");
    assertThat(deletes.get(2).params().get("ClientToken"))
        .as("the same volume, the same ClientToken")
        .isEqualTo(deletes.get(0).params().get("ClientToken"))
        .isNotEqualTo(deletes.get(1).params().get("ClientToken"));
    assertThat(deletes.get(2).effective()).as("answered from the cloud's record").isFalse();
    LedgerAssert.assertThat(sim).effectiveOnce("DeleteVolume", "vol-free1");
    LedgerAssert.assertThat(sim).effectiveOnce("DeleteVolume", "vol-free2");
  }

  @Test
  void aRefusedVolumeAmongSeveralFailsOnlyItselfAndTheOthersGo() throws Exception {
    TestWorld w = world();
    w.disk("vol-free1");
    start(w);

    BatchResult r =
        provider.releaseDisks(
            new ReleaseDisksRequest(List.of("vol-pre", "vol-free1", "vol-nope"), false, "tok-3"));

    assertThat(r.failures()).containsOnlyKeys("vol-pre", "vol-nope");
    assertThat(r.failures().get("vol-pre").kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(r.failures().get("vol-pre").message()).contains("vol-pre");
    assertThat(r.failures().get("vol-nope").kind()).isEqualTo(ErrorKind.NOT_FOUND);
    LedgerAssert.assertThat(sim).effectiveOnce("DeleteVolume", "vol-free1");
    assertThat(sim.volumeStatus("vol-pre")).contains("available");
  }

  @Test
  void dataVolumesOfOneInstanceTakeOneDescribeVolumesAndOfSeveralOneDescribeInstancesMore()
      throws Exception {
    start(world());

    assertThat(provider.describeDataDisks(List.of("i-post1")).get("i-post1"))
        .extracting(CloudDisk::id)
        .containsExactly("vol-d1", "vol-d2");
    assertThat(calls("DescribeInstances")).isEmpty();
    assertThat(calls("DescribeVolumes"))
        .singleElement()
        .satisfies(c -> assertThat(c.params()).containsEntry("InstanceId", "i-post1"));

    Map<String, List<CloudDisk>> both = provider.describeDataDisks(List.of("i-post1", "i-post2"));
    assertThat(both.get("i-post1")).extracting(CloudDisk::id).containsExactly("vol-d1", "vol-d2");
    assertThat(both.get("i-post2")).extracting(CloudDisk::id).containsExactly("vol-d3");
    assertThat(calls("DescribeInstances")).hasSize(1);
    assertThat(calls("DescribeVolumes"))
        .hasSize(2)
        .last()
        .satisfies(
            c -> {
              assertThat(c.params()).doesNotContainKey("InstanceId");
              assertThat(c.ids()).containsExactlyInAnyOrder("vol-d1", "vol-d2", "vol-d3");
            });
  }

  @Test
  void prepaidVolumeCannotBeDeletedOnItsOwn() throws Exception {
    start(world());

    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () ->
                provider.releaseDisks(
                    new ReleaseDisksRequest(List.of("vol-pre"), false, "tok-pre")));

    assertThat(e.error().kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(e.error().code()).isEqualTo("VolumeStatusForbidDelete");
    assertThat(e.error().message()).contains("vol-pre");
    assertThat(sim.volumeStatus("vol-pre")).contains("available");
  }

  @Test
  void throttledCallIsThrottled() throws Exception {
    TestWorld w = world();
    w.rateLimit("DescribeInstances", 1);
    start(w);
    provider.describeInstances(List.of("i-post1"));

    CloudException e =
        catchThrowableOfType(
            CloudException.class, () -> provider.describeInstances(List.of("i-post1")));

    assertThat(e.error().kind()).isEqualTo(ErrorKind.THROTTLED);
    assertThat(e.error().code()).isEqualTo("FlowLimitExceeded");
    assertThat(e.error().action()).isEqualTo("DescribeInstances");
    assertThat(calls("DescribeInstances"))
        .extracting(CallLedger.Call::outcome)
        .containsExactly("OK", "FlowLimitExceeded");
  }

  @Test
  void wrongSecretIsACredentialsErrorSignatureDoesNotMatch() throws Exception {
    start(world());
    String wrongSecret = "bm90LXRoZS1yaWdodC1zZWNyZXQ=";
    CloudProvider bad = connect(AK, wrongSecret, Duration.ofSeconds(2));

    CloudException e =
        catchThrowableOfType(CloudException.class, () -> bad.describeInstances(List.of("i-post1")));
    bad.close();

    assertThat(e.error().kind()).isEqualTo(ErrorKind.CREDENTIALS);
    assertThat(e.error().code()).isEqualTo("SignatureDoesNotMatch");
    assertThat(e.error().message())
        .contains("secretAccessKey")
        .doesNotContain(wrongSecret)
        .doesNotContain(SK);
    assertThat(e.toString()).doesNotContain(wrongSecret);
    assertThat(calls("DescribeInstances"))
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo("SignatureDoesNotMatch"));

    CloudProvider unknown = connect("AKLTunknown", SK, Duration.ofSeconds(2));
    CloudException e2 =
        catchThrowableOfType(
            CloudException.class, () -> unknown.describeInstances(List.of("i-post1")));
    unknown.close();
    assertThat(e2.error().kind()).isEqualTo(ErrorKind.CREDENTIALS);
    assertThat(e2.error().code()).isEqualTo("InvalidAccessKey");
  }

  @Test
  void a503IsSentOnlyOnceBecauseTheSdkDoesNotRetry() throws Exception {
    TestWorld w = world();
    FaultRule f = new FaultRule().type(FaultRule.Type.HTTP_ERROR);
    f.action = "DescribeInstances";
    f.httpStatus = 503;
    w.fault(f);
    start(w);

    CloudException e =
        catchThrowableOfType(
            CloudException.class, () -> provider.describeInstances(List.of("i-post1")));

    assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.error().code()).isEqualTo("ServiceUnavailableTemp");
    assertThat(calls("DescribeInstances")).as("no hidden SDK retry").hasSize(1);
    assertThat(provider.describeInstances(List.of("i-post1")).get("i-post1").phase())
        .isEqualTo(InstancePhase.RUNNING);
    assertThat(calls("DescribeInstances")).hasSize(2);
  }

  @Test
  void anErrorInsideAnHttp200AnswerIsStillAnError() throws Exception {
    TestWorld w = world();
    FaultRule f = new FaultRule().type(FaultRule.Type.HTTP_ERROR);
    f.action = "DeleteInstances";
    f.httpStatus = 200;
    f.code = "InternalError";
    w.fault(f);
    start(w);

    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () -> provider.terminateInstances(terminate("tok-200", "i-post1")));

    assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.error().code()).isEqualTo("InternalError");
    assertThat(e.error().requestId()).isNotBlank();
    assertThat(sim.instanceStatus("i-post1")).contains("RUNNING");
  }

  @Test
  void simStateIsJson() throws Exception {
    start(world(), new MutableClock(Instant.now()));
    provider.terminateInstances(terminate("tok-state", "i-post2"));

    HttpResponse<String> resp =
        HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(sim.endpoint() + "/_sim/state")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(resp.statusCode()).isEqualTo(200);
    JsonNode state = new ObjectMapper().readTree(resp.body());
    assertThat(state.path("provider").asText()).isEqualTo("volcengine");
    JsonNode instances = state.path("world").path("instances");
    assertThat(instances)
        .anySatisfy(
            i -> {
              assertThat(i.path("id").asText()).isEqualTo("i-post2");
              assertThat(i.path("status").asText()).isEqualTo("DELETING");
            });
    assertThat(state.path("world").path("disks"))
        .anySatisfy(
            d -> {
              assertThat(d.path("id").asText()).isEqualTo("vol-d3");
              assertThat(d.path("status").asText()).isEqualTo("attached");
            });
    assertThat(state.path("ledger"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.path("action").asText()).isEqualTo("DeleteInstances");
              assertThat(c.path("effective").asBoolean()).isTrue();
              assertThat(c.path("ids").get(0).asText()).isEqualTo("i-post2");
            });
  }

  @Test
  void worldLoadsFromAWorldFile() throws Exception {
    String yaml =
        """
        seed: 3
        clouds:
          volcengine:
            region: cn-shanghai
            credentials: [{id: AKLTyaml, secret: yaml-secret}]
            timingsMs: {terminate: 100}
            rateLimits: {DeleteInstances: 5}
            instances:
              - {id: i-yaml1, state: STOPPED, chargeType: PostPaid}
            disks:
              - {id: vol-yaml1, instanceId: i-yaml1, chargeType: PostPaid, deleteWithInstance: true}
        """;
    WorldSpec spec = new ObjectMapper(new YAMLFactory()).readValue(yaml, WorldSpec.class);
    cloud = TestWorld.from(spec, Provider.VOLCENGINE).start();
    sim = cloud.sim();
    provider = cloud.connect(Duration.ofSeconds(2));

    assertThat(provider.describeInstances(List.of("i-yaml1")).get("i-yaml1").phase())
        .isEqualTo(InstancePhase.STOPPED);
    assertThat(provider.describeDataDisks(List.of("i-yaml1")).get("i-yaml1"))
        .singleElement()
        .satisfies(d -> assertThat(d.deleteWithInstance()).isTrue());
    assertThat(sim.rateLimits().limits()).containsEntry("DeleteInstances", 5);
  }
}
