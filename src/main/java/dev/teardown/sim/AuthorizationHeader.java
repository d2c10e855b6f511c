package dev.teardown.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code <ALGORITHM> Credential=..., SignedHeaders=..., Signature=...} header that Tencent
 * (TC3-HMAC-SHA256) and Volcengine (HMAC-SHA256) both send, split into its parts; each simulator
 * then checks its own scope.
 */
public record AuthorizationHeader(
    String[] credentialScope, String signedHeaders, String signature) {

  /** The parts, or null when the header is absent, of another algorithm, or lacks a part. */
  public static AuthorizationHeader parse(String header, String algorithm) {
    if (header == null || !header.startsWith(algorithm + " ")) {
      return null;
    }
    Map<String, String> parts = new LinkedHashMap<>();
    for (String p : header.substring(algorithm.length() + 1).split(",")) {
      int eq = p.indexOf('=');
      if (eq > 0) {
        parts.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
      }
    }
    String credential = parts.get("Credential");
    String signedHeaders = parts.get("SignedHeaders");
    String signature = parts.get("Signature");
    if (credential == null || signedHeaders == null || signature == null) {
      return null;
    }
    return new AuthorizationHeader(credential.split("/"), signedHeaders, signature);
  }
}
