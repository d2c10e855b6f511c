package dev.teardown.cloud.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.InstancePhase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Learning transition times from observations, on a manual clock. */
class TransitionClockTest {
  static final Duration FLOOR = Duration.ofMillis(100);
  static final Duration CAP = Duration.ofSeconds(30);
  static final Duration FALLBACK = Duration.ofSeconds(5);
  final AtomicLong nanos = new AtomicLong();
  final TransitionClock clock = new TransitionClock(nanos::get, FLOOR, CAP);

  void at(long ms) {
    nanos.set(ms * 1_000_000L);
  }

  static CloudInstance instance(String id, InstancePhase p) {
    return new CloudInstance(id, p.name(), p, "POSTPAID_BY_HOUR", false, false, null, false);
  }

  static CloudDisk disk(String id, DiskPhase p) {
    return new CloudDisk(id, null, p.name(), p, "POSTPAID_BY_HOUR", false, false, true);
  }

  @Test
  void aSampleIsTheMiddleBetweenTheLastUnfinishedAndTheFirstFinishedObservation() {
    at(0);
    clock.accepted("tencentcloud", TransitionClock.Action.TERMINATE, List.of("ins-1"));
    at(400);
    clock.observedInstances(List.of(instance("ins-1", InstancePhase.BUSY)));
    at(600);
    clock.observedInstances(List.of(instance("ins-1", InstancePhase.GONE)));

    assertThat(clock.estimate("tencentcloud", TransitionClock.Action.TERMINATE))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(clock.samples("tencentcloud", TransitionClock.Action.TERMINATE)).isEqualTo(1);
    assertThat(clock.estimate("volcengine", TransitionClock.Action.TERMINATE))
        .as("per provider")
        .isNull();
  }

  @Test
  void theNextLookIsWhenTheOutstandingCallIsExpectedToHaveFinishedWithinFloorAndCap() {
    learn("tencentcloud", TransitionClock.Action.RELEASE, "disk-0", 2000);
    at(10_000);
    clock.accepted("tencentcloud", TransitionClock.Action.RELEASE, List.of("disk-1"));

    assertThat(clock.expectedDelay("tencentcloud", List.of("ins-1", "disk-1"), FALLBACK))
        .isEqualTo(Duration.ofMillis(2000));
    at(11_500);
    assertThat(clock.expectedDelay("tencentcloud", List.of("ins-1", "disk-1"), FALLBACK))
        .isEqualTo(Duration.ofMillis(500));
    at(13_000);
    assertThat(clock.expectedDelay("tencentcloud", List.of("disk-1"), FALLBACK))
        .as("overdue: the floor")
        .isEqualTo(FLOOR);
    assertThat(clock.expectedDelay("tencentcloud", List.of("ins-9"), FALLBACK))
        .as("nothing outstanding")
        .isEqualTo(FALLBACK);
    assertThat(clock.expectedDelay("volcengine", List.of("disk-1"), FALLBACK))
        .as("another provider's call")
        .isEqualTo(FALLBACK);
    assertThat(clock.expectedDelay("tencentcloud", List.of("ins-9"), Duration.ofHours(1)))
        .isEqualTo(CAP);
  }

  @Test
  void beforeAnythingIsLearnedTheFallbackIsTheExpectation() {
    at(0);
    clock.accepted("volcengine", TransitionClock.Action.DETACH, List.of("vol-1"));
    at(1000);
    assertThat(clock.expectedDelay("volcengine", List.of("vol-1"), FALLBACK))
        .isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void theEstimateFollowsTheCloudDownAndUp() {
    for (int i = 0; i < 30; i++) {
      learn("ucloud-compshare", TransitionClock.Action.STOP, "uhost-" + i, 3000);
    }
    assertThat(clock.estimate("ucloud-compshare", TransitionClock.Action.STOP).toMillis())
        .isBetween(2900L, 3000L);
    for (int i = 0; i < 30; i++) {
      learn("ucloud-compshare", TransitionClock.Action.STOP, "uhost-b" + i, 500);
    }
    assertThat(clock.estimate("ucloud-compshare", TransitionClock.Action.STOP).toMillis())
        .isBetween(500L, 600L);
  }

  @Test
  void onlyTheStateThatEndsTheActionCounts() {
    at(0);
    clock.accepted("tencentcloud", TransitionClock.Action.DETACH, List.of("disk-1"));
    clock.accepted("tencentcloud", TransitionClock.Action.PURGE, List.of("ins-1"));
    at(500);
    clock.observedDisks(List.of(disk("disk-1", DiskPhase.BUSY)));
    clock.observedInstances(List.of(instance("ins-1", InstancePhase.RECYCLED)));
    assertThat(clock.samples("tencentcloud", TransitionClock.Action.DETACH)).isZero();
    assertThat(clock.samples("tencentcloud", TransitionClock.Action.PURGE))
        .as("a purge ends only when gone")
        .isZero();
    at(700);
    clock.observedDisks(List.of(disk("disk-1", DiskPhase.AVAILABLE)));
    assertThat(clock.samples("tencentcloud", TransitionClock.Action.DETACH)).isEqualTo(1);
  }

  /** One call of {@code ms}, observed unfinished just before and finished just after. */
  void learn(String provider, TransitionClock.Action action, String id, long ms) {
    long t0 = nanos.get() / 1_000_000L + 1;
    at(t0);
    clock.accepted(provider, action, List.of(id));
    at(t0 + ms - 10);
    observe(action, id, false);
    at(t0 + ms + 10);
    observe(action, id, true);
  }

  void observe(TransitionClock.Action action, String id, boolean done) {
    switch (action) {
      case STOP, TERMINATE, PURGE ->
          clock.observedInstances(
              List.of(instance(id, done ? InstancePhase.GONE : InstancePhase.BUSY)));
      default -> clock.observedDisks(List.of(disk(id, done ? DiskPhase.GONE : DiskPhase.BUSY)));
    }
  }
}
