package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.ErrorKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitedProviderTest {

  @Test
  void overTheBudgetACallIsDeferredWithoutReachingTheCloudAndDeferredCallersGetSuccessiveSlots() throws Exception {
    FakeCloud cloud = new FakeCloud();
    cloud.rates = Map.of("describeInstances", 2);
    RateLimitedProvider p = new RateLimitedProvider(cloud);
    p.describeInstances(List.of("ins-1"));
    p.describeInstances(List.of("ins-1"));
    CloudException first = catchThrowableOfType(CloudException.class, () -> p.describeInstances(List.of("ins-1")));
    CloudException second = catchThrowableOfType(CloudException.class, () -> p.describeInstances(List.of("ins-1")));
    assertThat(cloud.describeInstanceCalls.get()).isEqualTo(2);
    assertThat(first.error().code()).isEqualTo(RateLimitedProvider.DEFERRED);
    assertThat(first.error().kind()).isEqualTo(ErrorKind.THROTTLED);
    assertThat(first.error().retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(600));
    assertThat(second.error().retryAfter()).as("the next deferred caller waits one slot longer")
        .isGreaterThanOrEqualTo(first.error().retryAfter().plusMillis(400));
  }

  @Test
  void operationsWithoutABudgetAreNeverHeldBack() throws Exception {
    FakeCloud cloud = new FakeCloud();
    cloud.rates = Map.of("describeInstances", 1);
    RateLimitedProvider p = new RateLimitedProvider(cloud);
    for (int i = 0; i < 50; i++) {
      p.describeDisks(List.of("disk-1"));
    }
    assertThat(cloud.describeDiskCalls.get()).isEqualTo(50);
  }
}
