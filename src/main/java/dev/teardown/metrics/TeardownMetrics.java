package dev.teardown.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Teardown's own meters, by the conventions of controller-runtime and Crossplane: histograms
 * (aggregatable across replicas) rather than summaries, a HELP text on every family, and labels
 * with bounded values only (provider, action, outcome, phase, result; never a resource name or an
 * id).
 *
 * <p>Prometheus names: {@code teardown_cloud_call_duration_seconds}, {@code
 * teardown_reconcile_duration_seconds}, {@code teardown_deletion_duration_seconds}, {@code
 * teardown_deletions}, {@code teardown_client_throttled_calls_total}, {@code
 * teardown_deletions_phase_transitions_total}, {@code teardown_deletions_completed_total}, {@code
 * teardown_leader}, {@code teardown_build_info}; plus JVM/process meters and JOSDK's {@code
 * operator_sdk_*}.
 */
public final class TeardownMetrics {
  public static final String CLOUD_CALLS = "teardown.cloud.call.duration";
  public static final String RECONCILES = "teardown.reconcile.duration";
  public static final String DELETION_DURATION = "teardown.deletion.duration";
  public static final String IN_FLIGHT = "teardown.deletions";
  public static final String THROTTLED = "teardown.client.throttled.calls";
  public static final String TRANSITIONS = "teardown.deletions.phase.transitions";
  public static final String COMPLETED = "teardown.deletions.completed";
  public static final String LEADER = "teardown.leader";
  public static final String BUILD_INFO = "teardown.build.info";

  /** HELP text per meter name; a meter registered anywhere under one of these names gets it. */
  static final Map<String, String> HELP =
      Map.of(
          CLOUD_CALLS,
              "Duration of cloud API calls through the provider port, by provider, action and outcome (ok or the"
                  + " error class).",
          RECONCILES,
              "Duration of one reconcile of a CloudInstanceDeletion, by controller and result (success or error).",
          DELETION_DURATION,
              "Time from the first reconcile of a deletion to Done or Failed, by provider and result.",
          IN_FLIGHT,
              "Deletions not yet Done or Failed, by phase (reported by the leader; 0 on a standby replica).",
          THROTTLED,
              "Cloud calls held back by Teardown's own client-side rate limit (never sent), by provider and action.",
          TRANSITIONS, "Phase changes of deletions, by provider and the phase entered.",
          COMPLETED,
              "Deletions that reached a terminal phase, by provider and result (Done or Failed).",
          LEADER,
              "1 while this replica holds the leader Lease (or runs without leader election), else 0.",
          BUILD_INFO, "Always 1; the labels say which build of Teardown runs.");

  /**
   * Histogram buckets (seconds): cloud calls take tens of ms to the cloud timeout (20 s by
   * default).
   */
  private static final double[] CLOUD_BUCKETS = {
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30
  };

  private static final double[] RECONCILE_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  /** Deletions take seconds (postpaid) to many minutes (locks, backoff, slow shutdowns). */
  private static final double[] DELETION_BUCKETS = {
    1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200
  };

  private TeardownMetrics() {}

  /**
   * Configures a registry: HELP texts and histogram buckets for Teardown's meters, JVM and process
   * meters, and build info. Call before any meter is registered.
   */
  public static void install(MeterRegistry registry) {
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                String help = HELP.get(id.getName());
                if (help == null
                    && id.getName().startsWith("operator.sdk.")
                    && id.getDescription() == null) {
                  help =
                      "Java Operator SDK: "
                          + id.getName().substring("operator.sdk.".length()).replace('.', ' ')
                          + ".";
                }
                return help == null || help.equals(id.getDescription())
                    ? id
                    : new Meter.Id(
                        id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), help, id.getType());
              }

              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                double[] buckets =
                    switch (id.getName()) {
                      case CLOUD_CALLS -> CLOUD_BUCKETS;
                      case RECONCILES -> RECONCILE_BUCKETS;
                      case DELETION_DURATION -> DELETION_BUCKETS;
                      default -> null;
                    };
                if (buckets == null) {
                  return config;
                }
                double[] nanos = new double[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                  nanos[i] = buckets[i] * 1e9;
                }
                return DistributionStatisticConfig.builder()
                    .percentilesHistogram(false)
                    .serviceLevelObjectives(nanos)
                    .build()
                    .merge(config);
              }
            });
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder(BUILD_INFO, () -> 1)
        .tag("version", BuildInfo.version())
        .tag("java_version", System.getProperty("java.version", "unknown"))
        .register(registry);
  }

  /** One cloud call through the port. */
  public static void cloudCall(
      MeterRegistry registry, String provider, String action, String outcome, long nanos) {
    Timer.builder(CLOUD_CALLS)
        .tag("provider", provider)
        .tag("action", action)
        .tag("outcome", outcome)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A call Teardown held back under its own rate limit. */
  public static void throttled(MeterRegistry registry, String provider, String action) {
    Counter.builder(THROTTLED)
        .tag("provider", provider)
        .tag("action", action == null ? "unknown" : action)
        .register(registry)
        .increment();
  }

  /**
   * A deletion reached Done or Failed: counts it and records how long it took from its first
   * reconcile.
   */
  public static void deletionFinished(
      MeterRegistry registry,
      String provider,
      String result,
      String startedAt,
      String completedAt) {
    Counter.builder(COMPLETED)
        .tag("provider", provider)
        .tag("result", result)
        .register(registry)
        .increment();
    Duration took = between(startedAt, completedAt);
    if (took != null) {
      Timer.builder(DELETION_DURATION)
          .tag("provider", provider)
          .tag("result", result)
          .register(registry)
          .record(took);
    }
  }

  static Duration between(String start, String end) {
    if (start == null || end == null) {
      return null;
    }
    try {
      Duration d = Duration.between(Instant.parse(start), Instant.parse(end));
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
