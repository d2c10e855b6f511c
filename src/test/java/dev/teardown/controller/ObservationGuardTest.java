package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.TerminateRequest;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An observation is never terminal (except credentials); nothing stalls silently. */
class ObservationGuardTest {

  @Test
  void aTerminalAnswerToADescribeIsRetryableButCredentialsStayCredentials() {
    FakeCloud cloud = new FakeCloud();
    ObservationGuard guard = new ObservationGuard(cloud);
    cloud.failEveryCall =
        CloudError.of(
            ErrorKind.TERMINAL, "InvalidParameterValue.Something", "odd", "r", "DescribeInstances");
    CloudException e =
        catchThrowableOfType(CloudException.class, () -> guard.describeInstances(List.of("ins-a")));
    assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.error().code()).isEqualTo("InvalidParameterValue.Something");
    assertThat(
            catchThrowableOfType(CloudException.class, () -> guard.describeDisks(List.of("disk-a")))
                .error()
                .kind())
        .isEqualTo(ErrorKind.RETRYABLE);
    assertThat(
            catchThrowableOfType(
                    CloudException.class, () -> guard.describeDataDisks(List.of("ins-a")))
                .error()
                .kind())
        .isEqualTo(ErrorKind.RETRYABLE);

    cloud.failEveryCall =
        CloudError.of(
            ErrorKind.CREDENTIALS, "AuthFailure.SignatureFailure", "bad", "r", "DescribeInstances");
    assertThat(
            catchThrowableOfType(
                    CloudException.class, () -> guard.describeInstances(List.of("ins-a")))
                .error()
                .kind())
        .isEqualTo(ErrorKind.CREDENTIALS);
  }

  @Test
  void mutatingCallsPassThroughUnchanged() {
    FakeCloud cloud = new FakeCloud();
    cloud.instance("ins-a", false);
    cloud.refuseTerminate.add("ins-a");
    ObservationGuard guard = new ObservationGuard(cloud);
    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () ->
                guard.terminateInstances(
                    new TerminateRequest(List.of("ins-a"), true, false, false, "t")));
    assertThat(e.error().kind()).isEqualTo(ErrorKind.TERMINAL);
  }

  @Test
  void nothingWaitsLongerThanFiveMinutesAndAReconcileThatThrowsIsRescheduled() {
    ControllerConfiguration cc =
        DeletionReconciler.class.getAnnotation(ControllerConfiguration.class);
    Duration max =
        Duration.of(
            cc.maxReconciliationInterval().interval(),
            cc.maxReconciliationInterval().timeUnit().toChronoUnit());
    assertThat(max).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));

    DeletionReconciler r =
        new DeletionReconciler(
            new ProviderRegistry(List.of(new FakeCloud())),
            new ConnectionCache(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
            dev.teardown.config.OperatorConfig.defaults(),
            java.time.Clock.systemUTC(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    CloudInstanceDeletion res = new CloudInstanceDeletion();
    res.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("x")
            .withNamespace("d")
            .build());
    var control = r.updateErrorStatus(res, null, new IllegalStateException("status write failed"));
    assertThat(control.getScheduleDelay()).isPresent();
    assertThat(control.getScheduleDelay().get()).isPositive();
  }
}
