package dev.teardown.controller;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.metrics.InstrumentedProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place every cloud call goes through, per (provider, region, zone, endpoint, credentials): SDK clients
 * are built once and reused across reconciles and resources. The key holds a SHA-256 fingerprint of the Secret's
 * values, never the values, so a rotated Secret gets a new client.
 */
public final class ConnectionCache implements AutoCloseable {
  private static final int MAX = 256;
  private final Map<String, CloudProvider> cache = new LinkedHashMap<>(16, 0.75f, true);
  private final MeterRegistry registry;
  /** The configured endpoint overrides; "provider.service" keys are per-service ones. */
  private final Map<String, URI> endpoints;

  public ConnectionCache(MeterRegistry registry) {
    this(registry, Map.of());
  }

  public ConnectionCache(MeterRegistry registry, Map<String, URI> endpoints) {
    this.registry = registry;
    this.endpoints = Map.copyOf(endpoints);
  }

  public synchronized CloudProvider connect(
      CloudProviderFactory factory, String region, String zone, Map<String, String> secret, URI endpoint, Duration timeout)
      throws CloudException {
    Provider p = factory.provider();
    Map<String, URI> services = new TreeMap<>();
    endpoints.forEach((k, v) -> {
      if (k.startsWith(p.value() + ".")) {
        services.put(k.substring(p.value().length() + 1), v);
      }
    });
    String key = p.value() + "|" + region + "|" + zone + "|" + endpoint + services + "|" + fingerprint(secret);
    CloudProvider cp = cache.get(key);
    if (cp == null) {
      cp = new RateLimitedProvider(new InstrumentedProvider(p.value(), factory.connect(
          new ConnectionSpec(region, zone, new Credentials(secret), endpoint, timeout, services)), registry));
      cache.put(key, cp);
      if (cache.size() > MAX) {
        var eldest = cache.entrySet().iterator().next();
        eldest.getValue().close();
        cache.remove(eldest.getKey());
      }
    }
    return cp;
  }

  static String fingerprint(Map<String, String> secret) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(secret).forEach((k, v) -> {
        md.update(k.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      });
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    cache.values().forEach(CloudProvider::close);
    cache.clear();
  }
}
