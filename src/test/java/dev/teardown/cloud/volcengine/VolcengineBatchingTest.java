package dev.teardown.cloud.volcengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.batch.BatchingProvider;
import dev.teardown.cloud.batch.Coalescer;
import dev.teardown.cloud.batch.ManualScheduler;
import dev.teardown.cloud.batch.TransitionClock;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.tencent.MutableClock;
import dev.teardown.sim.volcengine.VolcengineSimulator;
import dev.teardown.testing.LedgerAssert;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Volcengine adapter below the batching decorator, against the simulator: the look-ups and
 * releases of several deletions merged into few SDK calls, and each deletion getting exactly its
 * own answer. Window timers fire when the test says so.
 */
class VolcengineBatchingTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  final MutableClock clock = new MutableClock(Instant.now());
  final ManualScheduler timers = new ManualScheduler();
  final ExecutorService pool = Executors.newCachedThreadPool();
  final Coalescer coalescer =
      new Coalescer(Duration.ofMillis(40), Duration.ofSeconds(30), timers, Runnable::run);
  SimCloud cloud;
  VolcengineSimulator sim;
  CloudProvider adapter;
  BatchingProvider provider;

  @AfterEach
  void stop() {
    pool.shutdownNow();
    if (adapter != null) {
      adapter.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  /**
   * Three instances, each with a volume that goes with it ({@code -a}) and one that does not
   * ({@code -b}); two unattached pay-as-you-go volumes and an unattached prepaid one.
   */
  static TestWorld world() {
    TestWorld w =
        TestWorld.of(Provider.VOLCENGINE)
            .region(VolcengineProviderTest.REGION)
            .keys(VolcengineProviderTest.AK, VolcengineProviderTest.SK)
            .timing("terminate", 200)
            .timing("detach", 150)
            .timing("release", 100);
    for (String id : List.of("i-a1", "i-a2", "i-b1")) {
      w.instance(id).running().postpaid();
      w.disk("vol-" + id + "-a").on(id).deleteWithInstance().postpaid();
      w.disk("vol-" + id + "-b").on(id).postpaid();
    }
    w.disk("vol-free1").postpaid();
    w.disk("vol-free2").postpaid();
    w.disk("vol-pre").prepaid();
    return w;
  }

  void start(TestWorld w, Duration timeout) throws Exception {
    cloud = w.start(clock);
    sim = cloud.sim();
    adapter = cloud.connect(timeout);
    provider =
        new BatchingProvider(
            "volcengine",
            adapter,
            coalescer,
            new TransitionClock(System::nanoTime, Duration.ofMillis(200), Duration.ofMinutes(1)));
  }

  /** Starts each call on its own thread (as reconciles do), then closes the window once. */
  <V> List<V> together(List<Callable<V>> calls) throws Exception {
    List<Future<V>> futures = calls.stream().map(pool::submit).toList();
    await().atMost(WAIT).until(() -> coalescer.waiting() == calls.size());
    timers.fireAll();
    List<V> out = new ArrayList<>();
    for (Future<V> f : futures) {
      out.add(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }
    return out;
  }

  List<CallLedger.Call> calls(String action) {
    return LedgerAssert.ledgerOf(sim).calls(action);
  }

  static List<String> ids(List<CloudDisk> disks) {
    return disks.stream().map(CloudDisk::id).toList();
  }

  @Test
  void dataDisksOfTwoDeletionsAreOneDescribeInstancesAndOneDescribeVolumesSplitBack()
      throws Exception {
    start(world(), Duration.ofSeconds(3));

    List<Map<String, List<CloudDisk>>> answers =
        together(
            List.of(
                () -> provider.describeDataDisks(List.of("i-a1", "i-a2")),
                () -> provider.describeDataDisks(List.of("i-b1", "i-missing"))));

    Map<String, List<CloudDisk>> a = answers.get(0);
    Map<String, List<CloudDisk>> b = answers.get(1);
    assertThat(a).containsOnlyKeys("i-a1", "i-a2");
    assertThat(ids(a.get("i-a1"))).containsExactly("vol-i-a1-a", "vol-i-a1-b");
    assertThat(ids(a.get("i-a2"))).containsExactly("vol-i-a2-a", "vol-i-a2-b");
    assertThat(b).containsOnlyKeys("i-b1", "i-missing");
    assertThat(ids(b.get("i-b1"))).containsExactly("vol-i-b1-a", "vol-i-b1-b");
    assertThat(b.get("i-missing")).isEmpty();
    assertThat(a.get("i-a1"))
        .extracting(CloudDisk::deleteWithInstance)
        .as("the fate comes from DescribeVolumes")
        .containsExactly(true, false);
    assertThat(b.get("i-b1"))
        .allSatisfy(
            d -> {
              assertThat(d.phase()).isEqualTo(DiskPhase.ATTACHED);
              assertThat(d.instanceId()).isEqualTo("i-b1");
              assertThat(d.chargeType()).isEqualTo("PostPaid");
            });

    assertThat(calls("DescribeInstances"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.ids()).containsExactlyInAnyOrder("i-a1", "i-a2", "i-b1", "i-missing"));
    assertThat(calls("DescribeVolumes"))
        .as("one call for the six data volumes of both deletions; system volumes are not asked")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ids()).hasSize(6).allMatch(id -> id.endsWith("-a") || id.endsWith("-b"));
              assertThat(c.params()).containsEntry("Kind", "data");
            });
  }

  @Test
  void aMergedDescribeInstancesHandsEachDeletionItsInstancesListedDataVolumes() throws Exception {
    start(world(), Duration.ofSeconds(3));

    List<Map<String, dev.teardown.cloud.CloudInstance>> answers =
        together(
            List.of(
                () -> provider.describeInstances(List.of("i-a1", "i-a2")),
                () -> provider.describeInstances(List.of("i-b1", "i-missing"))));

    assertThat(answers.get(0)).containsOnlyKeys("i-a1", "i-a2");
    assertThat(answers.get(0).get("i-a1").dataDiskIds())
        .containsExactly("vol-i-a1-a", "vol-i-a1-b");
    assertThat(answers.get(0).get("i-a2").dataDiskIds())
        .containsExactly("vol-i-a2-a", "vol-i-a2-b");
    assertThat(answers.get(1)).containsOnlyKeys("i-b1", "i-missing");
    assertThat(answers.get(1).get("i-b1").dataDiskIds())
        .containsExactly("vol-i-b1-a", "vol-i-b1-b");
    assertThat(answers.get(1).get("i-missing").dataDiskIds()).isNull();
    assertThat(calls("DescribeInstances")).hasSize(1);
    assertThat(calls("DescribeVolumes")).as("the list comes with the instances").isEmpty();
  }

  @Test
  void disksOfTwoDeletionsAreOneDescribeVolumesAndAVolumeNoLongerListedIsGone() throws Exception {
    start(world(), Duration.ofSeconds(3));
    assertThat(
            adapter
                .releaseDisks(new ReleaseDisksRequest(List.of("vol-free1"), false, "tok-early"))
                .failures())
        .isEmpty();
    clock.advance(Duration.ofSeconds(5));
    assertThat(sim.volumeStatus("vol-free1")).as("deleted before the look").isEmpty();
    int before = calls("DescribeVolumes").size();

    List<Map<String, CloudDisk>> answers =
        together(
            List.of(
                () -> provider.describeDisks(List.of("vol-i-a1-a", "vol-free2")),
                () -> provider.describeDisks(List.of("vol-free1", "vol-i-b1-b"))));

    assertThat(answers.get(0)).containsOnlyKeys("vol-i-a1-a", "vol-free2");
    assertThat(answers.get(0).get("vol-i-a1-a").phase()).isEqualTo(DiskPhase.ATTACHED);
    assertThat(answers.get(0).get("vol-free2").phase()).isEqualTo(DiskPhase.AVAILABLE);
    assertThat(answers.get(1)).containsOnlyKeys("vol-free1", "vol-i-b1-b");
    assertThat(answers.get(1).get("vol-free1").phase())
        .as("DescribeVolumes by id no longer lists it: that is the observation that it is gone")
        .isEqualTo(DiskPhase.GONE);
    assertThat(answers.get(1).get("vol-i-b1-b").phase()).isEqualTo(DiskPhase.ATTACHED);
    assertThat(calls("DescribeVolumes").subList(before, calls("DescribeVolumes").size()))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.ids())
                    .containsExactlyInAnyOrder(
                        "vol-i-a1-a", "vol-free2", "vol-free1", "vol-i-b1-b"));
  }

  @Test
  void volumesThatGoWithTheirInstanceAreObservedGoneNeverDeleted() throws Exception {
    start(world(), Duration.ofSeconds(3));
    BatchResult deleted =
        adapter.terminateInstances(
            new dev.teardown.cloud.TerminateRequest(
                List.of("i-a1", "i-a2"), true, false, false, "tok-dwi"));
    assertThat(deleted.failures()).isEmpty();
    clock.advance(Duration.ofSeconds(5));

    Map<String, CloudDisk> seen =
        together(
                List.<Callable<Map<String, CloudDisk>>>of(
                    () -> provider.describeDisks(List.of("vol-i-a1-a", "vol-i-a1-b")),
                    () -> provider.describeDisks(List.of("vol-i-a2-a", "vol-i-a2-b"))))
            .stream()
            .flatMap(m -> m.entrySet().stream())
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

    assertThat(seen.get("vol-i-a1-a").phase()).isEqualTo(DiskPhase.GONE);
    assertThat(seen.get("vol-i-a2-a").phase()).isEqualTo(DiskPhase.GONE);
    assertThat(seen.get("vol-i-a1-b").phase()).isEqualTo(DiskPhase.AVAILABLE);
    assertThat(seen.get("vol-i-a2-b").phase()).isEqualTo(DiskPhase.AVAILABLE);
    assertThat(calls("DeleteVolume")).as("no call deleted any of them").isEmpty();
  }

  @Test
  void releasesOfTwoDeletionsAreOneMergedCallARefusedVolumeFailsOnlyItsOwnItem() throws Exception {
    start(world(), Duration.ofSeconds(3));

    List<BatchResult> answers =
        together(
            List.of(
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("vol-free1"), false, "tok-A")),
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("vol-pre", "vol-free2"), false, "tok-B"))));

    assertThat(answers.get(0).failures()).isEmpty();
    assertThat(answers.get(1).failures()).containsOnlyKeys("vol-pre");
    assertThat(answers.get(1).failures().get("vol-pre").kind()).isEqualTo(ErrorKind.TERMINAL);
    assertThat(answers.get(1).failures().get("vol-pre").code())
        .isEqualTo("VolumeStatusForbidDelete");
    assertThat(answers.get(1).failures().get("vol-pre").message()).contains("vol-pre");

    List<CallLedger.Call> deletes = calls("DeleteVolume");
    assertThat(deletes)
        .as("one DeleteVolume per volume, no call sent again unmerged")
        .extracting(c -> c.ids().get(0))
        .containsExactlyInAnyOrder("vol-free1", "vol-pre", "vol-free2");
    List<String> tokens = deletes.stream().map(c -> c.params().get("ClientToken")).toList();
    assertThat(tokens)
        .as("each volume its own ClientToken, derived from the merged set, not a member's")
        .doesNotHaveDuplicates()
        .noneMatch(t -> t.startsWith("tok-A") || t.startsWith("tok-B"));
    LedgerAssert.assertThat(sim).effectiveOnce("DeleteVolume", "vol-free1");
    LedgerAssert.assertThat(sim).effectiveOnce("DeleteVolume", "vol-free2");
    assertThat(sim.volumeStatus("vol-pre")).contains("available");

    BatchResult retried =
        provider.releaseDisks(new ReleaseDisksRequest(List.of("vol-free1"), false, "tok-A"));
    assertThat(retried.failures())
        .as("a member asking again with the same token gets the merged call's answer")
        .isEmpty();
    assertThat(calls("DeleteVolume")).hasSize(3);
  }

  @Test
  void aLostAnswerInAMergedReleaseIsThatVolumesAloneAndNothingIsDeletedTwice() throws Exception {
    TestWorld w = world();
    FaultRule lost = new FaultRule();
    lost.action = "DeleteVolume";
    lost.target = "vol-free2";
    lost.type = FaultRule.Type.TIMEOUT_AFTER_APPLY;
    lost.delayMs = 2500;
    w.fault(lost);
    start(w, Duration.ofSeconds(1));

    List<BatchResult> answers =
        together(
            List.of(
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("vol-free1"), false, "tok-A")),
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("vol-free2"), false, "tok-B"))));

    assertThat(answers.get(0).failures()).as("the other deletion's volume went").isEmpty();
    assertThat(answers.get(1).failures()).containsOnlyKeys("vol-free2");
    assertThat(answers.get(1).failures().get("vol-free2").kind()).isEqualTo(ErrorKind.RETRYABLE);

    // the step sends it again with its next attempt's token: the cloud is deleting it already
    try {
      BatchResult again =
          adapter.releaseDisks(new ReleaseDisksRequest(List.of("vol-free2"), false, "tok-B-2"));
      assertThat(again.failures()).containsOnlyKeys("vol-free2");
    } catch (dev.teardown.cloud.CloudException e) {
      assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    }
    clock.advance(Duration.ofSeconds(5));
    assertThat(adapter.describeDisks(List.of("vol-free2")).get("vol-free2").phase())
        .isEqualTo(DiskPhase.GONE);
    LedgerAssert.assertThat(sim).effectiveOnce("DeleteVolume", "vol-free2");
    LedgerAssert.assertThat(sim).effectiveOnce("DeleteVolume", "vol-free1");
  }
}
