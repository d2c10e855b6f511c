package dev.teardown.metrics;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.controller.ControllerEventSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * JOSDK's metrics (delegated, without per-resource labels) plus Teardown's reconcile histogram, the
 * deletions in flight by phase (counted from the informer cache on each scrape, so nothing can
 * drift) and the leader gauge.
 */
public final class OperatorMetrics implements Metrics {
  private final Metrics delegate;
  private final MeterRegistry registry;
  private final AtomicBoolean leader;
  private final AtomicReference<ControllerEventSource<CloudInstanceDeletion>> cache =
      new AtomicReference<>();

  /**
   * @param leader true while this replica may reconcile (holds the Lease, or leader election is
   *     off)
   */
  public OperatorMetrics(Metrics delegate, MeterRegistry registry, AtomicBoolean leader) {
    this.delegate = delegate;
    this.registry = registry;
    this.leader = leader;
    Gauge.builder(TeardownMetrics.LEADER, () -> leader.get() ? 1 : 0).register(registry);
    for (Phase p : Phase.values()) {
      if (!p.isTerminal()) {
        Gauge.builder(TeardownMetrics.IN_FLIGHT, () -> inPhase(p))
            .tag("phase", p.name())
            .register(registry);
      }
    }
  }

  private double inPhase(Phase phase) {
    ControllerEventSource<CloudInstanceDeletion> source = cache.get();
    if (source == null || !leader.get()) {
      return 0;
    }
    return source.list(r -> phaseOf(r) == phase).count();
  }

  /** A resource the operator has not written status to yet is Pending. */
  static Phase phaseOf(CloudInstanceDeletion r) {
    return r.getStatus() == null || r.getStatus().getPhase() == null
        ? Phase.Pending
        : r.getStatus().getPhase();
  }

  @Override
  @SuppressWarnings("unchecked")
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    if (controller.getConfiguration().getResourceClass() == CloudInstanceDeletion.class) {
      cache.set(
          (ControllerEventSource<CloudInstanceDeletion>)
              (ControllerEventSource<?>)
                  controller.getEventSourceManager().getControllerEventSource());
    }
    delegate.controllerRegistered(controller);
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    long start = System.nanoTime();
    String result = "error";
    try {
      T value = delegate.timeControllerExecution(execution);
      result = "success";
      return value;
    } finally {
      Timer.builder(TeardownMetrics.RECONCILES)
          .tag("controller", execution.controllerName())
          .tag("operation", execution.name())
          .tag("result", result)
          .register(registry)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    delegate.receivedEvent(event, metadata);
  }

  @Override
  public void reconcileCustomResource(
      HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    delegate.reconcileCustomResource(resource, retryInfo, metadata);
  }

  @Override
  public void failedReconciliation(
      HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    delegate.failedReconciliation(resource, exception, metadata);
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    delegate.reconciliationExecutionStarted(resource, metadata);
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    delegate.reconciliationExecutionFinished(resource, metadata);
  }

  @Override
  public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
    delegate.cleanupDoneFor(resourceID, metadata);
  }

  @Override
  public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
    delegate.finishedReconciliation(resource, metadata);
  }

  @Override
  public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
    return delegate.monitorSizeOf(map, name);
  }
}
