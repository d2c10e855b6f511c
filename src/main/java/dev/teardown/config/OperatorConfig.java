package dev.teardown.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The operator's settings in effect. Every setting is declared once below as a {@link Setting}
 * (variable, type, default, meaning); {@link #from} reads them all, {@code java -jar teardown.jar
 * settings} shows the values in effect and where each came from, and the README's settings table is
 * {@link #markdownTable()} (a test compares them). A copy with other values is {@link #with}; there
 * is no per-field copying.
 */
public final class OperatorConfig {
  public static final Setting<Set<String>> NAMESPACES =
      new Setting<>(
          "TEARDOWN_NAMESPACES",
          SettingType.LIST,
          "",
          "Comma-separated namespaces to watch; empty = all namespaces.");
  public static final Setting<Boolean> LEADER_ELECTION =
      new Setting<>(
          "TEARDOWN_LEADER_ELECTION",
          SettingType.BOOLEAN,
          "false",
          "Use a Lease so only one replica reconciles (set true when running more than one).");
  public static final Setting<String> LEASE_NAMESPACE =
      new Setting<>(
          "TEARDOWN_LEASE_NAMESPACE",
          SettingType.STRING,
          "teardown-system",
          "Namespace of the leader-election Lease.");
  public static final Setting<String> LEASE_NAME =
      new Setting<>(
          "TEARDOWN_LEASE_NAME",
          SettingType.STRING,
          "teardown-operator",
          "Name of the leader-election Lease.");
  public static final Setting<Integer> METRICS_PORT =
      new Setting<>(
          "TEARDOWN_METRICS_PORT",
          SettingType.INTEGER,
          "8080",
          "Port of /metrics (Prometheus), /healthz and /readyz; 0 = off.");
  public static final Setting<Integer> RECONCILE_THREADS =
      new Setting<>(
          "TEARDOWN_RECONCILE_THREADS",
          SettingType.INTEGER,
          "128",
          "Deletions reconciled in parallel. Calls are merged across deletions reconciled at "
              + "the same time, so this bounds a merged call's size; a thread waiting on a batch costs only its stack.");
  public static final Setting<Duration> POLL_INTERVAL =
      new Setting<>(
          "TEARDOWN_POLL_INTERVAL",
          SettingType.DURATION,
          "5s",
          "How often a deletion waiting for the cloud (shutdown, detach) looks again.");
  public static final Setting<Duration> RETRY_BASE =
      new Setting<>(
          "TEARDOWN_RETRY_BASE",
          SettingType.DURATION,
          "2s",
          "First backoff after a retryable cloud error; doubles per consecutive error.");
  public static final Setting<Duration> RETRY_MAX =
      new Setting<>(
          "TEARDOWN_RETRY_MAX",
          SettingType.DURATION,
          "5m",
          "Longest backoff after retryable errors.");
  public static final Setting<Duration> CLOUD_TIMEOUT =
      new Setting<>(
          "TEARDOWN_CLOUD_TIMEOUT",
          SettingType.DURATION,
          "20s",
          "Connect/read timeout of one cloud API call.");
  public static final Setting<Integer> MAX_TERMINATE_ATTEMPTS =
      new Setting<>(
          "TEARDOWN_MAX_TERMINATE_ATTEMPTS",
          SettingType.INTEGER,
          "5",
          "Accepted terminate calls per instance before its deletion is declared Failed.");
  public static final Setting<URI> TENCENTCLOUD_ENDPOINT =
      new Setting<>(
          "TEARDOWN_TENCENTCLOUD_ENDPOINT",
          SettingType.URL,
          "",
          "Override of the Tencent Cloud API endpoint for both CVM and CBS (the simulators), e.g. "
              + "http://127.0.0.1:9001.");
  public static final Setting<URI> TENCENTCLOUD_CVM_ENDPOINT =
      new Setting<>(
          "TEARDOWN_TENCENTCLOUD_CVM_ENDPOINT",
          SettingType.URL,
          "",
          "Override of the Tencent CVM endpoint alone (private endpoint or proxy, e.g. "
              + "https://cvm.internal.tencentcloudapi.com); wins over the single override.");
  public static final Setting<URI> TENCENTCLOUD_CBS_ENDPOINT =
      new Setting<>(
          "TEARDOWN_TENCENTCLOUD_CBS_ENDPOINT",
          SettingType.URL,
          "",
          "Override of the Tencent CBS endpoint alone (e.g. "
              + "https://cbs.internal.tencentcloudapi.com); wins over the single override.");
  public static final Setting<URI> UCLOUD_COMPSHARE_ENDPOINT =
      new Setting<>(
          "TEARDOWN_UCLOUD_COMPSHARE_ENDPOINT",
          SettingType.URL,
          "",
          "Override of the CompShare API base URL (default https://api.compshare.cn).");
  public static final Setting<URI> VOLCENGINE_ENDPOINT =
      new Setting<>(
          "TEARDOWN_VOLCENGINE_ENDPOINT",
          SettingType.URL,
          "",
          "Override of the Volcengine OpenAPI endpoint (default https://open.volcengineapi.com).");
  public static final Setting<Boolean> ALLOW_INSECURE_ENDPOINTS =
      new Setting<>(
          "TEARDOWN_ALLOW_INSECURE_ENDPOINTS",
          SettingType.BOOLEAN,
          "false",
          "Accept plain http:// endpoint overrides that are not loopback addresses.");
  public static final Setting<Duration> STALL_AFTER =
      new Setting<>(
          "TEARDOWN_STALL_AFTER",
          SettingType.DURATION,
          "30m",
          "Consecutive retryable errors for this long set condition Stalled=True (retries go on at the capped "
              + "backoff).");

  public static final Setting<String> SELECTOR =
      new Setting<>(
          "TEARDOWN_SELECTOR",
          SettingType.LABEL_SELECTOR,
          "",
          "Label selector of the deletions this operator handles (e.g. shard=a); empty = all. Shards split deletions by "
              + "label, each Deployment with its own selector.");
  public static final Setting<Double> RATE_SHARE =
      new Setting<>(
          "TEARDOWN_RATE_SHARE",
          SettingType.SHARE,
          "1",
          "This operator's share (0 < share <= 1) of every client-side rate budget, when several shards use the same "
              + "cloud keys.");
  public static final Setting<Duration> BATCH_WINDOW =
      new Setting<>(
          "TEARDOWN_BATCH_WINDOW",
          SettingType.DURATION,
          "200ms",
          "How long calls of different deletions on the same keys, region and action wait to be merged into "
              + "one.");

  /** Every setting, in the order of the tables. */
  public static final List<Setting<?>> SETTINGS =
      List.of(
          NAMESPACES,
          LEADER_ELECTION,
          LEASE_NAMESPACE,
          LEASE_NAME,
          METRICS_PORT,
          RECONCILE_THREADS,
          POLL_INTERVAL,
          RETRY_BASE,
          RETRY_MAX,
          CLOUD_TIMEOUT,
          MAX_TERMINATE_ATTEMPTS,
          TENCENTCLOUD_ENDPOINT,
          TENCENTCLOUD_CVM_ENDPOINT,
          TENCENTCLOUD_CBS_ENDPOINT,
          UCLOUD_COMPSHARE_ENDPOINT,
          VOLCENGINE_ENDPOINT,
          ALLOW_INSECURE_ENDPOINTS,
          STALL_AFTER,
          SELECTOR,
          RATE_SHARE,
          BATCH_WINDOW);

  /**
   * The endpoint overrides by the key {@link #endpoints()} uses: the provider for its single
   * override, "provider.service" for one service's (the adapter picks them up, see
   * ConnectionSpec#serviceEndpoints).
   */
  public static final Map<String, Setting<URI>> ENDPOINTS = endpointSettings();

  /** The variable of each provider's single endpoint override. */
  public static final Map<String, String> ENDPOINT_ENV =
      Map.of(
          "tencentcloud", TENCENTCLOUD_ENDPOINT.env(),
          "ucloud-compshare", UCLOUD_COMPSHARE_ENDPOINT.env(),
          "volcengine", VOLCENGINE_ENDPOINT.env());

  /** The variable of each per-service override, by "provider.service". */
  public static final Map<String, String> SERVICE_ENDPOINT_ENV =
      Map.of(
          "tencentcloud.cvm", TENCENTCLOUD_CVM_ENDPOINT.env(),
          "tencentcloud.cbs", TENCENTCLOUD_CBS_ENDPOINT.env());

  /** Where a value in effect came from. */
  public enum Source {
    /** the setting's environment variable */
    ENV,
    /** the declared default */
    DEFAULT,
    /** set by the program that runs the operator (the sandbox, the benchmark, the tests) */
    CODE;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One setting's value in effect: typed, as text, and where it came from. */
  public record Value(Object value, String text, Source source) {}

  private final Map<Setting<?>, Value> values;

  private OperatorConfig(Map<Setting<?>, Value> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  private static Map<String, Setting<URI>> endpointSettings() {
    Map<String, Setting<URI>> m = new TreeMap<>();
    m.put("tencentcloud", TENCENTCLOUD_ENDPOINT);
    m.put("tencentcloud.cvm", TENCENTCLOUD_CVM_ENDPOINT);
    m.put("tencentcloud.cbs", TENCENTCLOUD_CBS_ENDPOINT);
    m.put("ucloud-compshare", UCLOUD_COMPSHARE_ENDPOINT);
    m.put("volcengine", VOLCENGINE_ENDPOINT);
    return Collections.unmodifiableMap(m);
  }

  public static OperatorConfig fromEnvironment() {
    return from(System::getenv);
  }

  /**
   * Reads every setting from a lookup (environment variables by default); a bad value is an error
   * naming it.
   */
  public static OperatorConfig from(Function<String, String> lookup) {
    Map<Setting<?>, Value> v = new LinkedHashMap<>();
    for (Setting<?> s : SETTINGS) {
      String raw = lookup.apply(s.env());
      Source source = raw == null ? Source.DEFAULT : Source.ENV;
      String text = raw == null ? s.defaultValue() : raw.trim();
      v.put(s, new Value(s.parse(text), text, source));
    }
    OperatorConfig c = new OperatorConfig(v);
    c.checkEndpoints();
    return c;
  }

  public static OperatorConfig defaults() {
    return from(k -> null);
  }

  /** Plain http:// to a host that is not loopback needs TEARDOWN_ALLOW_INSECURE_ENDPOINTS=true. */
  private void checkEndpoints() {
    boolean allowInsecure = get(ALLOW_INSECURE_ENDPOINTS);
    for (Setting<URI> s : ENDPOINTS.values()) {
      if (get(s) != null) {
        endpoint(s.env(), values.get(s).text(), allowInsecure);
      }
    }
  }

  /** The value in effect of a setting. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> s) {
    return (T) values.get(s).value();
  }

  /** The value in effect of a setting, as text, and where it came from. */
  public Value valueOf(Setting<?> s) {
    return values.get(s);
  }

  /** A copy with one value set by the program (tests and the sandbox run on faster clocks). */
  public <T> OperatorConfig with(Setting<T> s, T value) {
    Map<Setting<?>, Value> v = new LinkedHashMap<>(values);
    v.put(s, new Value(value, value == null ? "" : format(value), Source.CODE));
    return new OperatorConfig(v);
  }

  private static String format(Object value) {
    if (value instanceof Set<?> set) {
      return String.join(",", set.stream().map(String::valueOf).sorted().toList());
    }
    if (value instanceof Duration d) {
      return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() + "s";
    }
    return String.valueOf(value);
  }

  // The values, by name, for the code that reads them.

  public Set<String> namespaces() {
    return get(NAMESPACES);
  }

  public boolean leaderElection() {
    return get(LEADER_ELECTION);
  }

  public String leaseNamespace() {
    return get(LEASE_NAMESPACE);
  }

  public String leaseName() {
    return get(LEASE_NAME);
  }

  public int metricsPort() {
    return get(METRICS_PORT);
  }

  public int reconcileThreads() {
    return get(RECONCILE_THREADS);
  }

  public Duration pollInterval() {
    return get(POLL_INTERVAL);
  }

  public Duration retryBase() {
    return get(RETRY_BASE);
  }

  public Duration retryMax() {
    return get(RETRY_MAX);
  }

  public Duration cloudTimeout() {
    return get(CLOUD_TIMEOUT);
  }

  public int maxTerminateAttempts() {
    return get(MAX_TERMINATE_ATTEMPTS);
  }

  public boolean allowInsecureEndpoints() {
    return get(ALLOW_INSECURE_ENDPOINTS);
  }

  public Duration stallAfter() {
    return get(STALL_AFTER);
  }

  public String selector() {
    return get(SELECTOR);
  }

  public double rateShare() {
    return get(RATE_SHARE);
  }

  public Duration batchWindow() {
    return get(BATCH_WINDOW);
  }

  /**
   * The endpoint overrides that are set, by provider or "provider.service" (see {@link
   * #ENDPOINTS}).
   */
  public Map<String, URI> endpoints() {
    Map<String, URI> m = new LinkedHashMap<>();
    ENDPOINTS.forEach(
        (key, s) -> {
          if (get(s) != null) {
            m.put(key, get(s));
          }
        });
    return Collections.unmodifiableMap(m);
  }

  // Shorthands over with() for what the sandbox and the tests set together.

  public OperatorConfig withTimings(Duration poll, Duration retryBase, Duration retryMax) {
    return with(POLL_INTERVAL, poll).with(RETRY_BASE, retryBase).with(RETRY_MAX, retryMax);
  }

  /** A copy whose endpoint overrides are exactly these (by the keys of {@link #ENDPOINTS}). */
  public OperatorConfig withEndpoints(Map<String, URI> overrides) {
    for (String key : overrides.keySet()) {
      if (!ENDPOINTS.containsKey(key)) {
        throw new IllegalArgumentException(
            "no endpoint setting for '" + key + "' (known: " + ENDPOINTS.keySet() + ")");
      }
    }
    OperatorConfig c = this;
    for (Map.Entry<String, Setting<URI>> e : ENDPOINTS.entrySet()) {
      c = c.with(e.getValue(), overrides.get(e.getKey()));
    }
    return c;
  }

  public OperatorConfig withCloudTimeout(Duration timeout) {
    return with(CLOUD_TIMEOUT, timeout);
  }

  public OperatorConfig withMetricsPort(int port) {
    return with(METRICS_PORT, port);
  }

  public OperatorConfig withStallAfter(Duration d) {
    return with(STALL_AFTER, d);
  }

  /**
   * A copy that handles only the deletions matching a label selector, with a share of the rate
   * budgets.
   */
  public OperatorConfig withShard(String labelSelector, double share) {
    return with(SELECTOR, SELECTOR.parse(labelSelector == null ? "" : labelSelector))
        .with(RATE_SHARE, share);
  }

  /** The README's settings table, from the declarations. */
  public static String markdownTable() {
    StringBuilder b =
        new StringBuilder("| variable | type | default | meaning |\n|---|---|---|---|\n");
    for (Setting<?> s : SETTINGS) {
      b.append("| `")
          .append(s.env())
          .append("` | ")
          .append(s.type().name())
          .append(" | ")
          .append(s.defaultValue().isEmpty() ? "" : "`" + s.defaultValue() + "`")
          .append(" | ")
          .append(s.description())
          .append(" |\n");
    }
    return b.toString();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("OperatorConfig{");
    values.forEach((s, v) -> b.append(s.env()).append('=').append(v.text()).append(", "));
    return b.append('}').toString();
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
      throw new IllegalArgumentException(
          env + " has no host (or one that is not a valid host name): " + raw);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          env + " must not carry user information before the host: " + uri.getHost());
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          env + " must be scheme, host and port only, without query or fragment: " + raw);
    }
    if ("http".equals(uri.getScheme()) && !allowInsecure && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(
          env
              + " uses plain http:// for a non-loopback host ("
              + uri.getHost()
              + "); use https:// or set TEARDOWN_ALLOW_INSECURE_ENDPOINTS=true");
    }
    return uri;
  }

  private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  /**
   * True only for {@code localhost} and IP literals of the loopback range (127.0.0.0/8, ::1,
   * ::ffff:127.x.y.z). Names are never resolved: {@code 127.attacker.example} is a name, not an
   * address, so it is not loopback.
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
      throw new IllegalArgumentException(
          key + " must be a duration like 500ms, 5s, 2m or 1h, not '" + s + "'");
    }
  }
}
