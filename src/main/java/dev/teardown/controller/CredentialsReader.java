package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.SecretValues;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Reads a deletion's credentials Secret from its own namespace; problems name the Secret and keys,
 * never values.
 *
 * <p>A Secret read well is used again for {@link #FRESH}: many deletions share one Secret, and one
 * GET per pass was about a third of the operator's requests to the API server. That is one GET per
 * Secret and second whatever the number of deletions, and a changed Secret is picked up within a
 * second, at once after the cloud refused its keys ({@link #forget}). A Secret that is missing or
 * lacks keys is never remembered: the next pass reads it again.
 */
final class CredentialsReader {
  /** How long a Secret read well is used without reading it again. */
  static final Duration FRESH = Duration.ofSeconds(1);

  /** Secrets remembered at most. */
  static final int MAX_REMEMBERED = 10_000;

  /** How a Secret is read: namespace and name to the Secret, or null when there is none. */
  @FunctionalInterface
  interface SecretSource {
    Secret get(String namespace, String name);
  }

  private record Read(Map<String, String> values, long at) {}

  private final LongSupplier nanos;
  private final Map<String, Read> remembered = new ConcurrentHashMap<>();

  CredentialsReader() {
    this(System::nanoTime);
  }

  CredentialsReader(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /** The cloud refused the keys of this deletion's Secret: the next pass reads it again. */
  void forget(CloudInstanceDeletion r) {
    remembered.remove(key(r));
  }

  private static String key(CloudInstanceDeletion r) {
    return r.getMetadata().getNamespace() + "/" + r.getSpec().getCredentialsSecretRef().getName();
  }

  /**
   * A problem with the resource's own Secret that a person fixes; retried with backoff, never
   * Failed.
   */
  static final class Problem extends Exception {
    final String reason;

    Problem(String reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  Map<String, String> read(
      KubernetesClient client, CloudInstanceDeletion r, CloudProviderFactory factory)
      throws Problem {
    return read((ns, name) -> client.secrets().inNamespace(ns).withName(name).get(), r, factory);
  }

  Map<String, String> read(
      SecretSource source, CloudInstanceDeletion r, CloudProviderFactory factory) throws Problem {
    String key = key(r);
    long now = nanos.getAsLong();
    Read known = remembered.get(key);
    if (known != null
        && now - known.at() < FRESH.toNanos()
        && factory.requiredSecretKeys().stream()
            .allMatch(k -> known.values().get(k) != null && !known.values().get(k).isEmpty())) {
      return known.values();
    }
    Map<String, String> values = readNow(source, r, factory);
    if (remembered.size() >= MAX_REMEMBERED) {
      remembered.clear();
    }
    remembered.put(key, new Read(java.util.Collections.unmodifiableMap(values), now));
    return values;
  }

  private Map<String, String> readNow(
      SecretSource source, CloudInstanceDeletion r, CloudProviderFactory factory) throws Problem {
    remembered.remove(key(r));
    String ns = r.getMetadata().getNamespace();
    String name = r.getSpec().getCredentialsSecretRef().getName();
    Secret s;
    try {
      s = source.get(ns, name);
    } catch (KubernetesClientException e) {
      throw new Problem(
          "SecretUnreadable",
          "cannot read Secret "
              + ns
              + "/"
              + name
              + " (HTTP "
              + e.getCode()
              + "); check the operator's RBAC allows get on secrets in "
              + ns);
    }
    if (s == null) {
      throw new Problem(
          "SecretNotFound",
          "Secret "
              + name
              + " not found in namespace "
              + ns
              + ": create it with the keys "
              + factory.requiredSecretKeys()
              + " (see examples/secrets/)");
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (s.getData() != null) {
      s.getData()
          .forEach(
              (k, v) ->
                  values.put(
                      k,
                      v == null
                          ? null
                          : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)
                              .trim()));
    }
    if (s.getStringData() != null) {
      s.getStringData().forEach((k, v) -> values.put(k, v == null ? null : v.trim()));
    }
    List<String> invalid = SecretValues.invalidKeys(values, factory.requiredSecretKeys());
    if (!invalid.isEmpty()) {
      throw new Problem("SecretValueInvalid", SecretValues.problem(ns, name, invalid));
    }
    List<String> missing =
        factory.requiredSecretKeys().stream()
            .filter(k -> values.get(k) == null || values.get(k).isEmpty())
            .toList();
    if (!missing.isEmpty()) {
      throw new Problem(
          "SecretKeysMissing",
          "Secret "
              + ns
              + "/"
              + name
              + " lacks the keys "
              + missing
              + " needed for "
              + r.getSpec().getProvider().value());
    }
    return values;
  }

  /** Where the keys come from, for messages: "Secret ns/name (keys secretId, secretKey)". */
  static String describe(CloudInstanceDeletion r, CloudProviderFactory factory) {
    return "Secret "
        + r.getMetadata().getNamespace()
        + "/"
        + r.getSpec().getCredentialsSecretRef().getName()
        + " (keys "
        + String.join(", ", factory.requiredSecretKeys())
        + ")";
  }
}
