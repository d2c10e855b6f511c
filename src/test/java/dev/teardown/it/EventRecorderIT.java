package dev.teardown.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.controller.EventRecorder;
import dev.teardown.controller.ProviderRegistry;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events on the real API server: a repeated event is counted on one object, not written again. */
class EventRecorderIT {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private OperatorHarness h;
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);

  @BeforeEach
  void start() {
    TestKube.real();
    h = OperatorHarness.withoutOperator(Map.of(), ProviderRegistry.discover());
  }

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void theSameReasonAndMessageOnTheSameObjectRaiseTheCountAndTheLastTimestamp() {
    CloudInstanceDeletion r =
        h.create(
            "agg", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-agg00001"), s -> {});
    EventRecorder events = new EventRecorder(clock());
    events.warning(
        h.client(),
        r,
        "RequestLimitExceeded",
        "RequestLimitExceeded on TerminateInstances: slow down");
    now.set(T0.plusSeconds(30));
    events.warning(
        h.client(),
        r,
        "RequestLimitExceeded",
        "RequestLimitExceeded on TerminateInstances: slow down");
    now.set(T0.plusSeconds(60));
    events.warning(
        h.client(),
        r,
        "RequestLimitExceeded",
        "RequestLimitExceeded on TerminateInstances: slow down");
    events.warning(
        h.client(),
        r,
        "RequestLimitExceeded",
        "RequestLimitExceeded on DescribeInstances: slow down");
    events.normal(
        h.client(),
        r,
        "RequestLimitExceeded",
        "RequestLimitExceeded on TerminateInstances: slow down");

    List<Event> all = h.events("agg");
    assertThat(all).hasSize(3);
    assertThat(all)
        .extracting(e -> e.getType() + "|" + e.getReason() + "|" + e.getMessage())
        .doesNotHaveDuplicates();
    Event repeated =
        all.stream()
            .filter(
                e -> "Warning".equals(e.getType()) && e.getMessage().contains("TerminateInstances"))
            .findFirst()
            .orElseThrow();
    assertThat(repeated.getCount()).isEqualTo(3);
    assertThat(repeated.getFirstTimestamp()).isEqualTo(T0.toString());
    assertThat(repeated.getLastTimestamp()).isEqualTo(T0.plusSeconds(60).toString());
    assertThat(repeated.getInvolvedObject().getUid()).isEqualTo(r.getMetadata().getUid());
    assertThat(all)
        .filteredOn(e -> e != repeated)
        .allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void anObjectReCreatedUnderTheSameNameGetsEventsOfItsOwn() {
    CloudInstanceDeletion first =
        h.create(
            "again", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-agn00001"), s -> {});
    EventRecorder events = new EventRecorder(clock());
    events.normal(
        h.client(), first, "Done", "Entered Done from ReleasingDisks: 1 instance deleted.");
    h.delete("again");
    await().atMost(Duration.ofSeconds(10)).until(() -> h.get("again") == null);
    CloudInstanceDeletion second =
        h.create(
            "again", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-agn00001"), s -> {});
    assertThat(second.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
    events.normal(
        h.client(), second, "Done", "Entered Done from ReleasingDisks: 1 instance deleted.");

    assertThat(h.events("again"))
        .hasSize(2)
        .allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1))
        .extracting(e -> e.getInvolvedObject().getUid())
        .containsExactlyInAnyOrder(first.getMetadata().getUid(), second.getMetadata().getUid());
  }

  private Clock clock() {
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
  }
}
