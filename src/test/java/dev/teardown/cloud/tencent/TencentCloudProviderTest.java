package dev.teardown.cloud.tencent;

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
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The adapter through the real Tencent SDK against the wire-level simulator. */
class TencentCloudProviderTest {
  private static final String REGION = "ap-guangzhou";
  private static final String SECRET_ID = "AKIDteardowntest";
  private static final String SECRET_KEY = "teardown-test-secret";

  private final MutableClock clock = new MutableClock(Instant.now());
  private SimCloud cloud;
  private TencentSimulator sim;

  @AfterEach
  void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  // ---------------------------------------------------------------- deletion flows

  @Test
  void postpaidTerminateTakesDeleteWithInstanceDisksAndFreesTheOthers() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0001");
    w.disk("disk-dwi00001").on("ins-post0001").deleteWithInstance();
    w.disk("disk-keep0001").on("ins-post0001");
    CloudProvider p = start(w);

    CloudInstance before = p.describeInstances(List.of("ins-post0001")).get("ins-post0001");
    assertThat(before.phase()).isEqualTo(InstancePhase.RUNNING);
    assertThat(before.prepaid()).isFalse();
    List<CloudDisk> data = p.describeDataDisks(List.of("ins-post0001")).get("ins-post0001");
    assertThat(data).extracting(CloudDisk::id).containsExactly("disk-dwi00001", "disk-keep0001");
    assertThat(p.releasedWithInstance(before, data.get(0), true)).isTrue();
    assertThat(p.releasedWithInstance(before, data.get(1), true)).isFalse();

    BatchResult r =
        p.terminateInstances(
            new TerminateRequest(List.of("ins-post0001"), true, false, false, "tok"));
    assertThat(r.failures()).isEmpty();
    assertThat(r.requestId()).isNotBlank();
    CallLedger.Call call = ledgerOf(sim).onlyCall("TerminateInstances");
    assertThat(call.effective()).isTrue();
    assertThat(call.params())
        .doesNotContainKey("ReleasePrepaidDataDisks")
        .containsEntry("ReleaseAddress", "false");
    assertThat(p.describeInstances(List.of("ins-post0001")).get("ins-post0001").phase())
        .isEqualTo(InstancePhase.BUSY);

    clock.advance(Duration.ofMillis(250));
    assertThat(p.describeInstances(List.of("ins-post0001")).get("ins-post0001").phase())
        .isEqualTo(InstancePhase.GONE);
    Map<String, CloudDisk> disks = p.describeDisks(List.of("disk-dwi00001", "disk-keep0001"));
    assertThat(disks.get("disk-dwi00001").phase()).isEqualTo(DiskPhase.GONE);
    assertThat(disks.get("disk-keep0001").phase()).isEqualTo(DiskPhase.AVAILABLE);
    assertThat(disks.get("disk-keep0001").instanceId()).isNull();
    assertThat(sim.orphanedDisks(List.of("ins-post0001"))).containsExactly("disk-keep0001");

    assertThat(
            p.releaseDisks(new ReleaseDisksRequest(List.of("disk-keep0001"), false, "tok"))
                .failures())
        .isEmpty();
    assertThat(p.describeDisks(List.of("disk-keep0001")).get("disk-keep0001").phase())
        .isEqualTo(DiskPhase.GONE);
    assertThat(sim.orphanedDisks(List.of("ins-post0001"))).isEmpty();
  }

  @Test
  void prepaidTerminateRecyclesInstanceAndPrepaidDisksAndOnlyPurgeDestroys() throws Exception {
    TestWorld w = world();
    w.instance("ins-pre00001").prepaid();
    w.disk("disk-pre00001").on("ins-pre00001").prepaid();
    w.disk("disk-post0002").on("ins-pre00001");
    CloudProvider p = start(w);

    p.terminateInstances(new TerminateRequest(List.of("ins-pre00001"), true, false, false, "tok"));
    assertThat(ledgerOf(sim).onlyCall("TerminateInstances").params())
        .containsEntry("ReleasePrepaidDataDisks", "true");
    CloudInstance moving = p.describeInstances(List.of("ins-pre00001")).get("ins-pre00001");
    assertThat(moving.state()).isEqualTo("SHUTDOWN");
    assertThat(moving.phase())
        .as("SHUTDOWN while the terminate is OPERATING")
        .isEqualTo(InstancePhase.BUSY);

    clock.advance(Duration.ofMillis(200));
    assertThat(p.describeInstances(List.of("ins-pre00001")).get("ins-pre00001").phase())
        .isEqualTo(InstancePhase.RECYCLED);
    Map<String, CloudDisk> disks = p.describeDisks(List.of("disk-pre00001", "disk-post0002"));
    assertThat(disks.get("disk-pre00001").state()).isEqualTo("TORECYCLE");
    assertThat(disks.get("disk-pre00001").phase()).isEqualTo(DiskPhase.RECYCLED);
    assertThat(disks.get("disk-post0002").phase()).isEqualTo(DiskPhase.ATTACHED);
    assertThat(sim.orphanedDisks(List.of("ins-pre00001"))).containsExactly("disk-post0002");

    // A repeated terminate without purge is a no-op: the recycle-bin instance is never sent again.
    BatchResult again =
        p.terminateInstances(
            new TerminateRequest(List.of("ins-pre00001"), true, false, false, "tok"));
    assertThat(again.failures()).isEmpty();
    ledgerOf(sim).calledOnce("TerminateInstances");
    assertThat(sim.destroyCalls("ins-pre00001")).isZero();

    p.terminateInstances(new TerminateRequest(List.of("ins-pre00001"), true, false, true, "tok"));
    assertThat(sim.destroyCalls("ins-pre00001")).isEqualTo(1);
    clock.advance(Duration.ofMillis(250));
    assertThat(p.describeInstances(List.of("ins-pre00001")).get("ins-pre00001").phase())
        .isEqualTo(InstancePhase.GONE);
    disks = p.describeDisks(List.of("disk-pre00001", "disk-post0002"));
    assertThat(disks.get("disk-pre00001").phase()).isEqualTo(DiskPhase.GONE);
    assertThat(disks.get("disk-post0002").phase()).isEqualTo(DiskPhase.AVAILABLE);
  }

  @Test
  void keptPrepaidDisksAreDetachedThenTerminatedIntoTheRecycleBinAndPurgedOnlyOnRequest()
      throws Exception {
    TestWorld w = world();
    w.instance("ins-pre00002").prepaid();
    w.disk("disk-pre00002").on("ins-pre00002").prepaid();
    CloudProvider p = start(w);

    p.terminateInstances(new TerminateRequest(List.of("ins-pre00002"), false, false, false, "tok"));
    assertThat(ledgerOf(sim).onlyCall("TerminateInstances").params())
        .containsEntry("ReleasePrepaidDataDisks", "false");
    clock.advance(Duration.ofMillis(200));
    assertThat(p.describeDataDisks(List.of("ins-pre00002")).get("ins-pre00002"))
        .singleElement()
        .satisfies(d -> assertThat(d.phase()).isEqualTo(DiskPhase.ATTACHED));

    assertThat(p.detachDisks("ins-pre00002", List.of("disk-pre00002")).failures()).isEmpty();
    assertThat(p.describeDisks(List.of("disk-pre00002")).get("disk-pre00002").phase())
        .isEqualTo(DiskPhase.BUSY);
    clock.advance(Duration.ofMillis(150));
    assertThat(p.describeDisks(List.of("disk-pre00002")).get("disk-pre00002").phase())
        .isEqualTo(DiskPhase.AVAILABLE);

    // A detach retried after it already happened is success, though the cloud refuses the call
    // itself.
    assertThat(p.detachDisks("ins-pre00002", List.of("disk-pre00002")).failures()).isEmpty();
    ledgerOf(sim)
        .allCalls()
        .filteredOn(c -> c.action().equals("DetachDisks"))
        .extracting(CallLedger.Call::outcome)
        .containsExactly("OK", "InvalidDisk.NotSupported");

    assertThat(
            p.releaseDisks(new ReleaseDisksRequest(List.of("disk-pre00002"), false, "tok"))
                .failures())
        .isEmpty();
    assertThat(p.describeDisks(List.of("disk-pre00002")).get("disk-pre00002").phase())
        .isEqualTo(DiskPhase.RECYCLED);
    assertThat(sim.orphanedDisks(List.of("ins-pre00002"))).as("TORECYCLE is released").isEmpty();

    p.releaseDisks(new ReleaseDisksRequest(List.of("disk-pre00002"), false, "tok"));
    assertThat(ledgerOf(sim).count("TerminateDisks"))
        .as("no second TerminateDisks without purge")
        .isEqualTo(1);
    assertThat(sim.destroyCalls("disk-pre00002")).isZero();

    p.releaseDisks(new ReleaseDisksRequest(List.of("disk-pre00002"), true, "tok"));
    assertThat(sim.destroyCalls("disk-pre00002")).isEqualTo(1);
    assertThat(p.describeDisks(List.of("disk-pre00002")).get("disk-pre00002").phase())
        .isEqualTo(DiskPhase.GONE);
  }

  @Test
  void aBatchRefusedForOneAlreadyDetachedDiskReportsTheOthersAsRetryable() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0010");
    w.disk("disk-a0000010").on("ins-post0010");
    w.disk("disk-b0000010").on("ins-post0010");
    CloudProvider p = start(w);
    p.detachDisks("ins-post0010", List.of("disk-a0000010"));
    clock.advance(Duration.ofMillis(150));

    BatchResult r = p.detachDisks("ins-post0010", List.of("disk-a0000010", "disk-b0000010"));
    assertThat(r.failures()).containsOnlyKeys("disk-b0000010");
    assertThat(r.failures().get("disk-b0000010").kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(p.describeDisks(List.of("disk-b0000010")).get("disk-b0000010").phase())
        .isEqualTo(DiskPhase.ATTACHED);

    assertThat(p.detachDisks("ins-post0010", List.of("disk-b0000010")).failures()).isEmpty();
    ledgerOf(sim)
        .allCalls()
        .filteredOn(c -> c.action().equals("DetachDisks"))
        .extracting(CallLedger.Call::outcome)
        .containsExactly("OK", "InvalidDisk.NotSupported", "OK");
  }

  @Test
  void goneOrTerminatingIdsAreDoneNotErrors() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0003");
    CloudProvider p = start(w);

    Map<String, CloudInstance> seen = p.describeInstances(List.of("ins-post0003", "ins-vanished"));
    assertThat(seen).containsOnlyKeys("ins-post0003", "ins-vanished");
    assertThat(seen.get("ins-vanished").phase()).isEqualTo(InstancePhase.GONE);
    assertThat(p.describeDisks(List.of("disk-vanished")).get("disk-vanished").phase())
        .isEqualTo(DiskPhase.GONE);

    BatchResult r =
        p.terminateInstances(
            new TerminateRequest(
                List.of("ins-post0003", "ins-vanished"), false, false, false, "t"));
    assertThat(r.failures()).containsOnlyKeys("ins-vanished");
    assertThat(r.failures().get("ins-vanished").kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(ledgerOf(sim).onlyCall("TerminateInstances").ids()).containsExactly("ins-post0003");

    // Asked again while it is still TERMINATING: done already, nothing is sent.
    assertThat(
            p.terminateInstances(
                    new TerminateRequest(List.of("ins-post0003"), false, false, false, "t"))
                .failures())
        .isEmpty();
    ledgerOf(sim).calledOnce("TerminateInstances");
  }

  @Test
  void realTimeTransitionsCompleteWithTheSystemClock() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0004");
    w.disk("disk-keep0004").on("ins-post0004");
    CloudProvider p = start(w, Clock.systemUTC());

    p.terminateInstances(new TerminateRequest(List.of("ins-post0004"), false, false, false, "t"));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                p.describeInstances(List.of("ins-post0004")).get("ins-post0004").phase()
                    == InstancePhase.GONE);
    assertThat(p.describeDisks(List.of("disk-keep0004")).get("disk-keep0004").phase())
        .isEqualTo(DiskPhase.AVAILABLE);
  }

  // ---------------------------------------------------------------- errors

  @Test
  void protectedInstanceIsTerminalWithTheCloudsCode() throws Exception {
    TestWorld w = world();
    w.instance("ins-prot0001").deletionProtection();
    CloudProvider p = start(w);

    CloudInstance seen = p.describeInstances(List.of("ins-prot0001")).get("ins-prot0001");
    assertThat(seen.deletionProtected()).isTrue();
    assertThat(seen.notDeletableReason()).contains("deletion protection is on for ins-prot0001");

    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () ->
                p.terminateInstances(
                    new TerminateRequest(List.of("ins-prot0001"), false, false, false, "t")));
    assertThat(e.error().kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(e.error().code()).isEqualTo("UnsupportedOperation.InstancesProtected");
    assertThat(e.error().action()).isEqualTo("TerminateInstances");
    assertThat(e.error().requestId()).isNotBlank();
    assertThat(e.error().message()).contains("turn off termination protection");
    CallLedger.Call refused = ledgerOf(sim).onlyCall("TerminateInstances");
    assertThat(refused.outcome()).isEqualTo("UnsupportedOperation.InstancesProtected");
    assertThat(refused.effective()).isFalse();
    assertThat(p.describeInstances(List.of("ins-prot0001")).get("ins-prot0001").phase())
        .isEqualTo(InstancePhase.RUNNING);
  }

  @Test
  void wrongSecretKeyIsACredentialsErrorSignatureFailureAndNeverLeaksTheKey() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0005");
    run(w.start(clock));
    CloudProvider p = connect(SECRET_ID, "not-the-secret");

    CloudException e =
        catchThrowableOfType(
            CloudException.class, () -> p.describeInstances(List.of("ins-post0005")));
    assertThat(e.error().kind()).isEqualTo(ErrorKind.CREDENTIALS);
    assertThat(e.error().code()).isEqualTo("AuthFailure.SignatureFailure");
    assertThat(e.getMessage()).doesNotContain("not-the-secret").doesNotContain(SECRET_KEY);
    assertThat(p.toString()).doesNotContain("not-the-secret").doesNotContain(SECRET_ID);
    assertThat(ledgerOf(sim).onlyCall("DescribeInstances").outcome())
        .isEqualTo("AuthFailure.SignatureFailure");

    CloudException unknown =
        catchThrowableOfType(
            CloudException.class,
            () -> connect("AKIDunknown", SECRET_KEY).describeInstances(List.of("ins-post0005")));
    assertThat(unknown.error().code()).isEqualTo("AuthFailure.SecretIdNotFound");
    assertThat(unknown.error().kind()).isEqualTo(ErrorKind.CREDENTIALS);
  }

  @Test
  void rateLimitIsThrottledRequestLimitExceeded() throws Exception {
    TestWorld w = world();
    w.rateLimit("TerminateInstances", 1);
    w.instance("ins-post0006");
    w.instance("ins-post0007");
    CloudProvider p = start(w);

    p.terminateInstances(new TerminateRequest(List.of("ins-post0006"), false, false, false, "t"));
    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () ->
                p.terminateInstances(
                    new TerminateRequest(List.of("ins-post0007"), false, false, false, "t")));
    assertThat(e.error().kind()).isEqualTo(ErrorKind.THROTTLED);
    assertThat(e.error().code()).isEqualTo("RequestLimitExceeded");
    ledgerOf(sim)
        .allCalls()
        .filteredOn(c -> c.action().equals("TerminateInstances"))
        .extracting(CallLedger.Call::outcome)
        .containsExactly("OK", "RequestLimitExceeded");

    clock.advance(Duration.ofSeconds(1));
    assertThat(
            p.terminateInstances(
                    new TerminateRequest(List.of("ins-post0007"), false, false, false, "t"))
                .failures())
        .isEmpty();
  }

  @Test
  void injectedServerFaultsAreRetryable() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0008");
    CloudProvider p = start(w);

    sim.faults().add(FaultRule.error("DescribeInstances", "InternalError", 1));
    CloudException internal =
        catchThrowableOfType(
            CloudException.class, () -> p.describeInstances(List.of("ins-post0008")));
    assertThat(internal.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(internal.error().code()).isEqualTo("InternalError");
    assertThat(internal.error().requestId()).isNotBlank();

    FaultRule http = FaultRule.error("DescribeDisks", null, 1).type(FaultRule.Type.HTTP_ERROR);
    sim.faults().add(http);
    CloudException gateway =
        catchThrowableOfType(CloudException.class, () -> p.describeDisks(List.of("disk-x")));
    assertThat(gateway.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(gateway.error().code()).isEqualTo("ServerSideError");

    sim.faults()
        .add(
            FaultRule.error("DescribeInstances", null, 1)
                .type(FaultRule.Type.TIMEOUT)
                .delayMs(1500));
    CloudException timeout =
        catchThrowableOfType(
            CloudException.class, () -> p.describeInstances(List.of("ins-post0008")));
    assertThat(timeout.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(timeout.error().code()).isEqualTo("ClientSideError");

    assertThat(p.describeInstances(List.of("ins-post0008")).get("ins-post0008").phase())
        .isEqualTo(InstancePhase.RUNNING);
  }

  @Test
  void aLostAnswerIsNeverResentAndNeverTurnsIntoADestroy() throws Exception {
    TestWorld w = world();
    w.instance("ins-pre00003").prepaid();
    CloudProvider p = start(w);
    // The cloud applies the call, then closes the connection without answering, well within the
    // client timeout:
    // exactly the case OkHttp's default silent retry would resend.
    sim.faults()
        .add(
            FaultRule.error("TerminateInstances", null, 1)
                .type(FaultRule.Type.TIMEOUT_AFTER_APPLY)
                .delayMs(100));

    CloudException lost =
        catchThrowableOfType(
            CloudException.class,
            () ->
                p.terminateInstances(
                    new TerminateRequest(List.of("ins-pre00003"), true, false, false, "t")));
    assertThat(lost.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(lost.error().code()).isEqualTo("ClientSideError");
    assertThat(ledgerOf(sim).count("TerminateInstances")).as("sent exactly once").isEqualTo(1);
    assertThat(ledgerOf(sim).onlyCall("TerminateInstances").effective()).isTrue();

    // The operator retries the step: the adapter sees the instance already in the recycle bin and
    // sends nothing.
    clock.advance(Duration.ofMillis(200));
    assertThat(
            p.terminateInstances(
                    new TerminateRequest(List.of("ins-pre00003"), true, false, false, "t"))
                .failures())
        .isEmpty();
    ledgerOf(sim).calledOnce("TerminateInstances");
    assertThat(sim.destroyCalls("ins-pre00003")).isZero();
    assertThat(p.describeInstances(List.of("ins-pre00003")).get("ins-pre00003").phase())
        .isEqualTo(InstancePhase.RECYCLED);
  }

  // ---------------------------------------------------------------- fewer calls, same guards

  @Test
  void describeInstancesListsEachInstancesDataDisksNeverItsSystemDisk() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0011").postpaid();
    w.instance("ins-post0012").postpaid();
    w.disk("disk-lst00001").on("ins-post0011").postpaid();
    w.disk("disk-lst00002").on("ins-post0011").postpaid().deleteWithInstance();
    CloudProvider p = start(w);

    Map<String, CloudInstance> seen = p.describeInstances(List.of("ins-post0011", "ins-post0012"));
    assertThat(seen.get("ins-post0011").dataDiskIds())
        .containsExactlyInAnyOrder("disk-lst00001", "disk-lst00002");
    assertThat(seen.get("ins-post0012").dataDiskIds()).isEmpty();
    // the same disks the instance-id filter finds, and none of them a system disk
    assertThat(p.describeDataDisks(List.of("ins-post0011")).get("ins-post0011"))
        .extracting(CloudDisk::id)
        .containsExactlyInAnyOrderElementsOf(seen.get("ins-post0011").dataDiskIds());
    assertThat(CloudInstance.gone("ins-x").dataDiskIds()).as("gone lists nothing").isNull();
  }

  @Test
  void aPayAsYouGoTerminateCarryingThePassesObservationMakesNoLookOfItsOwn() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0013").postpaid();
    w.instance("ins-post0014").postpaid();
    CloudProvider p = start(w);
    Map<String, CloudInstance> seen = p.describeInstances(List.of("ins-post0013", "ins-post0014"));
    long looks = ledgerOf(sim).count("DescribeInstances");

    BatchResult r =
        p.terminateInstances(
            new TerminateRequest(
                List.of("ins-post0013", "ins-post0014"), true, false, false, "tok", seen));
    assertThat(r.failures()).isEmpty();
    assertThat(ledgerOf(sim).count("DescribeInstances")).isEqualTo(looks);
    assertThat(ledgerOf(sim).onlyCall("TerminateInstances").ids())
        .containsExactlyInAnyOrder("ins-post0013", "ins-post0014");
    assertThat(ledgerOf(sim).onlyCall("TerminateInstances").params())
        .doesNotContainKey("ReleasePrepaidDataDisks");

    // One that the observation shows terminating already is not sent again.
    clock.advance(Duration.ofMillis(50));
    Map<String, CloudInstance> now = p.describeInstances(List.of("ins-post0013"));
    assertThat(now.get("ins-post0013").state()).isEqualTo("TERMINATING");
    p.terminateInstances(
        new TerminateRequest(List.of("ins-post0013"), true, false, false, "tok2", now));
    assertThat(ledgerOf(sim).count("TerminateInstances")).isEqualTo(1);
  }

  @Test
  void aPrepaidInstanceIsLookedAtAgainRightBeforeTheCallWhateverTheRequestCarries()
      throws Exception {
    TestWorld w = world();
    w.instance("ins-pre00014").prepaid();
    CloudProvider p = start(w);
    // The pass saw it running ...
    Map<String, CloudInstance> seen = p.describeInstances(List.of("ins-pre00014"));
    // ... and a terminate went through before this one is sent (a first call whose answer was
    // lost, or someone else's): the instance is in the recycle bin now.
    p.terminateInstances(new TerminateRequest(List.of("ins-pre00014"), true, false, false, "a"));
    clock.advance(Duration.ofMillis(200));
    long looks = ledgerOf(sim).count("DescribeInstances");

    BatchResult r =
        p.terminateInstances(
            new TerminateRequest(List.of("ins-pre00014"), true, false, false, "b", seen));
    assertThat(r.failures()).isEmpty();
    assertThat(ledgerOf(sim).count("DescribeInstances")).as("looked again").isEqualTo(looks + 1);
    assertThat(ledgerOf(sim).count("TerminateInstances")).as("no second terminate").isEqualTo(1);
    assertThat(sim.destroyCalls("ins-pre00014")).isZero();
    assertThat(p.describeInstances(List.of("ins-pre00014")).get("ins-pre00014").phase())
        .isEqualTo(InstancePhase.RECYCLED);
  }

  @Test
  void aChargeTypeThatChangedSinceTheObservationNeverDestroysAndLeavesNoDiskUntracked()
      throws Exception {
    // The pass saw the instance pay-as-you-go; it is prepaid in the cloud now (switched since).
    TestWorld w = world();
    w.instance("ins-pre00015").prepaid();
    w.disk("disk-pre00015").on("ins-pre00015").prepaid();
    CloudProvider p = start(w);
    CloudInstance real = p.describeInstances(List.of("ins-pre00015")).get("ins-pre00015");
    CloudInstance stale =
        new CloudInstance(
                real.id(),
                real.state(),
                real.phase(),
                "POSTPAID_BY_HOUR",
                false,
                false,
                null,
                false)
            .withName(real.name())
            .withTags(real.tags())
            .withDataDiskIds(real.dataDiskIds());

    BatchResult r =
        p.terminateInstances(
            new TerminateRequest(
                List.of("ins-pre00015"), true, false, false, "tok", Map.of(real.id(), stale)));
    assertThat(r.failures()).isEmpty();
    // A first terminate of a running instance: the cloud, which knows it is prepaid, moves it to
    // the recycle bin. ReleasePrepaidDataDisks followed the observed charge type, so it was not
    // sent
    // and the prepaid disk is not recycled with it ...
    assertThat(ledgerOf(sim).onlyCall("TerminateInstances").params())
        .doesNotContainKey("ReleasePrepaidDataDisks");
    clock.advance(Duration.ofMillis(200));
    assertThat(p.describeInstances(List.of("ins-pre00015")).get("ins-pre00015").phase())
        .isEqualTo(InstancePhase.RECYCLED);
    assertThat(sim.destroyCalls("ins-pre00015")).isZero();
    CloudDisk left = p.describeDisks(List.of("disk-pre00015")).get("disk-pre00015");
    assertThat(left.phase()).isEqualTo(DiskPhase.ATTACHED);
    // ... where the operator's observation of the recorded disk finds it and releases it itself
    // (detach from the recycled instance, then TerminateDisks into the recycle bin).
    assertThat(p.detachDisks("ins-pre00015", List.of("disk-pre00015")).failures()).isEmpty();
    clock.advance(Duration.ofMillis(150));
    CloudDisk detached = p.describeDisks(List.of("disk-pre00015")).get("disk-pre00015");
    assertThat(detached.phase()).isEqualTo(DiskPhase.AVAILABLE);
    assertThat(
            p.releaseDisks(
                    new ReleaseDisksRequest(
                        List.of("disk-pre00015"), false, "tok", Map.of("disk-pre00015", detached)))
                .failures())
        .isEmpty();
    assertThat(p.describeDisks(List.of("disk-pre00015")).get("disk-pre00015").phase())
        .isEqualTo(DiskPhase.RECYCLED);
  }

  @Test
  void aReleaseCarryingItsObservationLooksAgainOnlyForPrepaidDisks() throws Exception {
    TestWorld w = world();
    w.disk("disk-post0016").postpaid();
    w.disk("disk-pre00016").prepaid();
    CloudProvider p = start(w);
    Map<String, CloudDisk> seen = p.describeDisks(List.of("disk-post0016", "disk-pre00016"));
    long looks = ledgerOf(sim).count("DescribeDisks");

    p.releaseDisks(
        new ReleaseDisksRequest(
            List.of("disk-post0016"),
            false,
            "a",
            Map.of("disk-post0016", seen.get("disk-post0016"))));
    assertThat(ledgerOf(sim).count("DescribeDisks")).as("pay-as-you-go: no look").isEqualTo(looks);

    // A prepaid disk released meanwhile (into the recycle bin) is looked at again and not sent a
    // second, destroying TerminateDisks, although the request's observation says it is available.
    p.releaseDisks(new ReleaseDisksRequest(List.of("disk-pre00016"), false, "b"));
    long terminates = ledgerOf(sim).count("TerminateDisks");
    p.releaseDisks(
        new ReleaseDisksRequest(
            List.of("disk-pre00016"),
            false,
            "c",
            Map.of("disk-pre00016", seen.get("disk-pre00016"))));
    assertThat(ledgerOf(sim).count("TerminateDisks")).isEqualTo(terminates);
    assertThat(p.describeDisks(List.of("disk-pre00016")).get("disk-pre00016").phase())
        .isEqualTo(DiskPhase.RECYCLED);
  }

  // ---------------------------------------------------------------- wiring and world files

  @Test
  void simStateEndpointServesWorldAndLedgerAsJson() throws Exception {
    TestWorld w = world();
    w.instance("ins-post0009");
    CloudProvider p = start(w);
    p.terminateInstances(new TerminateRequest(List.of("ins-post0009"), false, false, false, "t"));

    HttpResponse<String> resp =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(sim.endpoint() + "/_sim/state")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(200);
    JsonNode state = new ObjectMapper().readTree(resp.body());
    assertThat(state.path("provider").asText()).isEqualTo("tencentcloud");
    assertThat(state.path("world").path("instances").get(0).path("state").asText())
        .isEqualTo("TERMINATING");
    assertThat(state.path("ledger"))
        .extracting(c -> c.path("action").asText())
        .containsExactly("DescribeInstances", "TerminateInstances");
    assertThat(state.path("ledger").get(1).path("effective").asBoolean()).isTrue();
  }

  @Test
  void worldLoadedFromYamlIsWhatTheAdapterSees() throws Exception {
    String yaml =
        """
        seed: 3
        clouds:
          tencentcloud:
            region: ap-guangzhou
            credentials: [{id: AKIDteardowntest, secret: teardown-test-secret}]
            timingsMs: {terminate: 100, shutdown: 100, detach: 100}
            instances:
              - {id: ins-yaml0001, chargeType: PREPAID, state: RUNNING, zone: ap-guangzhou-3}
              - {id: ins-yaml0002, chargeType: POSTPAID_BY_HOUR, state: SHUTDOWN}
            disks:
              - {id: disk-yaml0001, instanceId: ins-yaml0001, chargeType: PREPAID}
              - {id: disk-yaml0002, instanceId: ins-yaml0001, chargeType: POSTPAID_BY_HOUR, deleteWithInstance: true}
              - {id: disk-yaml0003, instanceId: ins-yaml0001, portable: false}
              - {id: disk-yaml0004}
        """;
    WorldSpec spec = new ObjectMapper(new YAMLFactory()).readValue(yaml, WorldSpec.class);
    run(TestWorld.from(spec, Provider.TENCENTCLOUD).start(clock));
    CloudProvider p = connect(SECRET_ID, SECRET_KEY);

    Map<String, CloudInstance> is = p.describeInstances(List.of("ins-yaml0001", "ins-yaml0002"));
    assertThat(is.get("ins-yaml0001").prepaid()).isTrue();
    assertThat(is.get("ins-yaml0001").phase()).isEqualTo(InstancePhase.RUNNING);
    assertThat(is.get("ins-yaml0002").phase()).isEqualTo(InstancePhase.RECYCLED);

    List<CloudDisk> data =
        p.describeDataDisks(List.of("ins-yaml0001", "ins-yaml0002")).get("ins-yaml0001");
    assertThat(data)
        .extracting(CloudDisk::id)
        .containsExactly("disk-yaml0001", "disk-yaml0002", "disk-yaml0003");
    assertThat(data)
        .extracting(d -> p.releasedWithInstance(is.get("ins-yaml0001"), d, false))
        .containsExactly(false, true, true);
    assertThat(data)
        .extracting(d -> p.releasedWithInstance(is.get("ins-yaml0001"), d, true))
        .containsExactly(true, true, true);
    assertThat(p.describeDisks(List.of("disk-yaml0004")).get("disk-yaml0004").phase())
        .isEqualTo(DiskPhase.AVAILABLE);
    // The system disk exists in the cloud but is never reported as a data disk.
    assertThat(p.describeDisks(List.of("disk-sys-yaml0001")).get("disk-sys-yaml0001").phase())
        .isEqualTo(DiskPhase.ATTACHED);
  }

  @Test
  void factoryIsRegisteredAndRefusesASecretWithoutKeys() {
    CloudProviderFactory f =
        ServiceLoader.load(CloudProviderFactory.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x.provider() == Provider.TENCENTCLOUD)
            .findFirst()
            .orElseThrow();
    assertThat(f.requiredSecretKeys()).containsExactly("secretId", "secretKey");
    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () ->
                f.connect(
                    new ConnectionSpec(
                        REGION,
                        null,
                        new Credentials(Map.of("secretId", "x")),
                        null,
                        Duration.ofSeconds(1))));
    assertThat(e.error().kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(e.error().message()).contains("secretKey");
  }

  // ---------------------------------------------------------------- helpers

  private CloudProvider start(TestWorld w) throws CloudException {
    return start(w, clock);
  }

  private CloudProvider start(TestWorld w, Clock c) throws CloudException {
    run(w.start(c));
    return connect(SECRET_ID, SECRET_KEY);
  }

  private void run(SimCloud started) {
    cloud = started;
    sim = started.sim();
  }

  private CloudProvider connect(String id, String key) throws CloudException {
    return cloud.connect(id, key, Duration.ofSeconds(1));
  }

  private static TestWorld world() {
    return TestWorld.of(Provider.TENCENTCLOUD)
        .region(REGION)
        .instanceZone(REGION + "-3")
        .keys(SECRET_ID, SECRET_KEY)
        .timing("terminate", 200)
        .timing("shutdown", 150)
        .timing("detach", 100);
  }
}
