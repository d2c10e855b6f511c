package dev.teardown.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every operator setting in one place: its environment variable, default and meaning. The README's settings
 * table is generated from {@link #SETTINGS} ({@code java -jar teardown.jar settings}).
 */
public record OperatorConfig(
    Set<String> namespaces,
    boolean leaderElection,
    String leaseNamespace,
    String leaseName,
    int metricsPort,
    int reconcileThreads,
    Duration pollInterval,
    Duration retryBase,
    Duration retryMax,
    Duration cloudTimeout,
    int maxTerminateAttempts,
    Map<String, URI> endpoints,
    boolean allowInsecureEndpoints,
    Duration stallAfter,
    String selector,
    double rateShare,
    Duration batchWindow) {

  /** One documented setting. */
  public record Setting(String env, String defaultValue, String description) {}

  public static final List<Setting> SETTINGS = List.of(
      new Setting("TEARDOWN_NAMESPACES", "", "Comma-separated namespaces to watch; empty = all namespaces."),
      new Setting("TEARDOWN_LEADER_ELECTION", "false", "Use a Lease so only one replica reconciles (set true when running more than one)."),
      new Setting("TEARDOWN_LEASE_NAMESPACE", "teardown-system", "Namespace of the leader-election Lease."),
      new Setting("TEARDOWN_LEASE_NAME", "teardown-operator", "Name of the leader-election Lease."),
      new Setting("TEARDOWN_METRICS_PORT", "8080", "Port of /metrics (Prometheus), /healthz and /readyz; 0 = off."),
      new Setting("TEARDOWN_RECONCILE_THREADS", "128", "Deletions reconciled in parallel. Calls are merged across"
          + " deletions reconciled at the same time, so this bounds a merged call's size; a thread waiting on a batch"
          + " costs only its stack."),
      new Setting("TEARDOWN_POLL_INTERVAL", "5s", "How often a deletion waiting for the cloud (shutdown, detach) looks again."),
      new Setting("TEARDOWN_RETRY_BASE", "2s", "First backoff after a retryable cloud error; doubles per consecutive error."),
      new Setting("TEARDOWN_RETRY_MAX", "5m", "Longest backoff after retryable errors."),
      new Setting("TEARDOWN_CLOUD_TIMEOUT", "20s", "Connect/read timeout of one cloud API call."),
      new Setting("TEARDOWN_MAX_TERMINATE_ATTEMPTS", "5", "Accepted terminate calls per instance before its deletion is declared Failed."),
      new Setting("TEARDOWN_TENCENTCLOUD_ENDPOINT", "", "Override of the Tencent Cloud API endpoint for both CVM and CBS (the simulators), e.g. http://127.0.0.1:9001."),
      new Setting("TEARDOWN_TENCENTCLOUD_CVM_ENDPOINT", "", "Override of the Tencent CVM endpoint alone (private"
          + " endpoint or proxy, e.g. https://cvm.internal.tencentcloudapi.com); wins over the single override."),
      new Setting("TEARDOWN_TENCENTCLOUD_CBS_ENDPOINT", "", "Override of the Tencent CBS endpoint alone (e.g."
          + " https://cbs.internal.tencentcloudapi.com); wins over the single override."),
      new Setting("TEARDOWN_UCLOUD_COMPSHARE_ENDPOINT", "", "Override of the CompShare API base URL (default https://api.compshare.cn)."),
      new Setting("TEARDOWN_VOLCENGINE_ENDPOINT", "", "Override of the Volcengine OpenAPI endpoint (default https://open.volcengineapi.com)."),
      new Setting("TEARDOWN_ALLOW_INSECURE_ENDPOINTS", "false", "Accept plain http:// endpoint overrides that are not loopback addresses."),
      new Setting("TEARDOWN_STALL_AFTER", "30m", "Consecutive retryable errors for this long set condition Stalled=True (retries go on at the capped backoff)."),
      new Setting("TEARDOWN_SELECTOR", "", "Label selector of the deletions this operator handles (e.g. shard=a);"
          + " empty = all. Shards split deletions by label, each Deployment with its own selector."),
      new Setting("TEARDOWN_RATE_SHARE", "1", "This operator's share (0 < share <= 1) of every client-side rate"
          + " budget, when several shards use the same cloud keys."),
      new Setting("TEARDOWN_BATCH_WINDOW", "200ms", "How long calls of different deletions on the same keys, region"
          + " and action wait to be merged into one."));

  public static final Map<String, String> ENDPOINT_ENV = Map.of(
      "tencentcloud", "TEARDOWN_TENCENTCLOUD_ENDPOINT",
      "ucloud-compshare", "TEARDOWN_UCLOUD_COMPSHARE_ENDPOINT",
      "volcengine", "TEARDOWN_VOLCENGINE_ENDPOINT");

  /**
   * Per-service overrides, kept in {@link #endpoints} under "provider.service" keys next to the provider's single
   * override; the adapter of that provider picks them up (see ConnectionSpec#serviceEndpoints).
   */
  public static final Map<String, String> SERVICE_ENDPOINT_ENV = Map.of(
      "tencentcloud.cvm", "TEARDOWN_TENCENTCLOUD_CVM_ENDPOINT",
      "tencentcloud.cbs", "TEARDOWN_TENCENTCLOUD_CBS_ENDPOINT");

  public static OperatorConfig fromEnvironment() {
    return from(System::getenv);
  }

  /** Builds the config from a lookup (environment variables by default); a bad value is an error naming the variable. */
  public static OperatorConfig from(Function<String, String> lookup) {
    Map<String, String> v = new LinkedHashMap<>();
    for (Setting s : SETTINGS) {
      String raw = lookup.apply(s.env());
      v.put(s.env(), raw == null ? s.defaultValue() : raw.trim());
    }
    boolean allowInsecure = bool(v, "TEARDOWN_ALLOW_INSECURE_ENDPOINTS");
    Map<String, URI> endpoints = new LinkedHashMap<>();
    Map<String, String> endpointEnv = new TreeMap<>(ENDPOINT_ENV);
    endpointEnv.putAll(SERVICE_ENDPOINT_ENV);
    endpointEnv.forEach((key, env) -> {
      String raw = v.get(env);
      if (raw != null && !raw.isBlank()) {
        endpoints.put(key, endpoint(env, raw, allowInsecure));
      }
    });
    return new OperatorConfig(
        csv(v.get("TEARDOWN_NAMESPACES")),
        bool(v, "TEARDOWN_LEADER_ELECTION"),
        v.get("TEARDOWN_LEASE_NAMESPACE"),
        v.get("TEARDOWN_LEASE_NAME"),
        integer(v, "TEARDOWN_METRICS_PORT"),
        integer(v, "TEARDOWN_RECONCILE_THREADS"),
        duration(v, "TEARDOWN_POLL_INTERVAL"),
        duration(v, "TEARDOWN_RETRY_BASE"),
        duration(v, "TEARDOWN_RETRY_MAX"),
        duration(v, "TEARDOWN_CLOUD_TIMEOUT"),
        integer(v, "TEARDOWN_MAX_TERMINATE_ATTEMPTS"),
        Collections.unmodifiableMap(endpoints),
        allowInsecure,
        duration(v, "TEARDOWN_STALL_AFTER"),
        selector("TEARDOWN_SELECTOR", v.get("TEARDOWN_SELECTOR")),
        share(v, "TEARDOWN_RATE_SHARE"),
        duration(v, "TEARDOWN_BATCH_WINDOW"));
  }

  public static OperatorConfig defaults() {
    return from(k -> null);
  }

  /** A copy with other timings (tests and the sandbox run on faster clocks). */
  public OperatorConfig withTimings(Duration poll, Duration retryBase, Duration retryMax) {
    return new OperatorConfig(namespaces, leaderElection, leaseNamespace, leaseName, metricsPort, reconcileThreads,
        poll, retryBase, retryMax, cloudTimeout, maxTerminateAttempts, endpoints, allowInsecureEndpoints,
        stallAfter, selector, rateShare, batchWindow);
  }

  public OperatorConfig withEndpoints(Map<String, URI> overrides) {
    return new OperatorConfig(namespaces, leaderElection, leaseNamespace, leaseName, metricsPort, reconcileThreads,
        pollInterval, retryBase, retryMax, cloudTimeout, maxTerminateAttempts, Map.copyOf(overrides),
        allowInsecureEndpoints, stallAfter, selector, rateShare, batchWindow);
  }

  public OperatorConfig withCloudTimeout(Duration timeout) {
    return new OperatorConfig(namespaces, leaderElection, leaseNamespace, leaseName, metricsPort, reconcileThreads,
        pollInterval, retryBase, retryMax, timeout, maxTerminateAttempts, endpoints, allowInsecureEndpoints,
        stallAfter, selector, rateShare, batchWindow);
  }

  public OperatorConfig withMetricsPort(int port) {
    return new OperatorConfig(namespaces, leaderElection, leaseNamespace, leaseName, port, reconcileThreads,
        pollInterval, retryBase, retryMax, cloudTimeout, maxTerminateAttempts, endpoints, allowInsecureEndpoints,
        stallAfter, selector, rateShare, batchWindow);
  }

  public OperatorConfig withStallAfter(Duration d) {
    return new OperatorConfig(namespaces, leaderElection, leaseNamespace, leaseName, metricsPort, reconcileThreads,
        pollInterval, retryBase, retryMax, cloudTimeout, maxTerminateAttempts, endpoints, allowInsecureEndpoints, d,
        selector, rateShare, batchWindow);
  }

  /** A copy that handles only the deletions matching a label selector, with a share of the rate budgets. */
  public OperatorConfig withShard(String labelSelector, double share) {
    return new OperatorConfig(namespaces, leaderElection, leaseNamespace, leaseName, metricsPort, reconcileThreads,
        pollInterval, retryBase, retryMax, cloudTimeout, maxTerminateAttempts, endpoints, allowInsecureEndpoints,
        stallAfter, selector("selector", labelSelector), share, batchWindow);
  }

  /** A Kubernetes label selector; blank = everything. */
  static String selector(String env, String raw) {
    try {
      return LabelSelector.parse(raw).toString();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(env + " is not a label selector: " + e.getMessage());
    }
  }

  private static double share(Map<String, String> v, String key) {
    try {
      double d = Double.parseDouble(v.get(key));
      if (d > 0 && d <= 1) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a number above 0 and at most 1, not '" + v.get(key) + "'");
  }

  static URI endpoint(String env, String raw, boolean allowInsecure) {
    URI uri;
    try {
      uri = new URI(raw.contains("://") ? raw : "https://" + raw);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(env + " is not a URL: " + raw);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException(env + " must be an http:// or https:// URL: " + raw);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(env + " has no host (or one that is not a valid host name): " + raw);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(env + " must not carry user information before the host: " + uri.getHost());
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(env + " must be scheme, host and port only, without query or fragment: "
          + raw);
    }
    if ("http".equals(uri.getScheme()) && !allowInsecure && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(env + " uses plain http:// for a non-loopback host (" + uri.getHost()
          + "); use https:// or set TEARDOWN_ALLOW_INSECURE_ENDPOINTS=true");
    }
    return uri;
  }

  private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  /**
   * True only for {@code localhost} and IP literals of the loopback range (127.0.0.0/8, ::1, ::ffff:127.x.y.z).
   * Names are never resolved: {@code 127.attacker.example} is a name, not an address, so it is not loopback.
   */
  static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal = host;
    if (host.startsWith("[") && host.endsWith("]")) {
      literal = host.substring(1, host.length() - 1);
      if (!literal.contains(":") || !IPV6.matcher(literal).matches()) {
        return false;
      }
    } else if (!IPV4.matcher(host).matches()) {
      return false;
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress(); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Set<String> csv(String s) {
    if (s == null || s.isBlank()) {
      return Set.of();
    }
    List<String> out = new ArrayList<>();
    Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(out::add);
    return Set.copyOf(out);
  }

  private static boolean bool(Map<String, String> v, String key) {
    String s = v.get(key).toLowerCase();
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException(key + " must be true or false, not '" + v.get(key) + "'");
  }

  private static int integer(Map<String, String> v, String key) {
    try {
      return Integer.parseInt(v.get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, not '" + v.get(key) + "'");
    }
  }

  /** Parses 500ms, 5s, 2m, 1h or an ISO-8601 duration. */
  public static Duration parseDuration(String key, String s) {
    try {
      if (s.startsWith("P") || s.startsWith("p")) {
        return Duration.parse(s);
      }
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      return switch (s.charAt(s.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " must be a duration like 500ms, 5s, 2m or 1h, not '" + s + "'");
    }
  }

  private static Duration duration(Map<String, String> v, String key) {
    return parseDuration(key, v.get(key));
  }
}
