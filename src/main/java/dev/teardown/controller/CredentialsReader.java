package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.SecretValues;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a deletion's credentials Secret from its own namespace; problems name the Secret and keys,
 * never values.
 */
final class CredentialsReader {

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
    String ns = r.getMetadata().getNamespace();
    String name = r.getSpec().getCredentialsSecretRef().getName();
    Secret s;
    try {
      s = client.secrets().inNamespace(ns).withName(name).get();
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
