package dev.teardown.sim.compshare;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The UCloud API signature, recomputed the way the SDK's {@code Credential.verifyAc} does it: every
 * request parameter except {@code Signature} (so {@code PublicKey} included), sorted by key in Java
 * String order, concatenated as key + value, then the private key appended; lowercase hex SHA1 of
 * that. Plain SHA1, no HMAC, no timestamp (which is why a signed request must never be logged: it
 * can be replayed).
 */
public final class CompShareSignature {
  private CompShareSignature() {}

  /**
   * The signature over already-stringified parameters; a {@code Signature} entry, if present, is
   * ignored.
   */
  public static String sign(Map<String, String> params, String privateKey) {
    StringBuilder s = new StringBuilder();
    new TreeMap<>(params)
        .forEach(
            (k, v) -> {
              if (!"Signature".equals(k) && v != null) {
                s.append(k).append(v);
              }
            });
    s.append(privateKey);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(s.toString().getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(digest.length * 2);
      for (byte b : digest) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  /**
   * How the SDK turns one flattened JSON value into signed text: the SDK signs {@code
   * value.toString()} of the Java value it then serialises with Gson, except doubles/floats, which
   * it prints without trailing zeros and without exponent ({@code 42.0 -> "42"}). Booleans are
   * {@code true}/{@code false}. Null is not sent at all.
   */
  public static String valueText(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isFloatingPointNumber()) {
      return v.decimalValue().stripTrailingZeros().toPlainString();
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    return v
        .toString(); // the SDK never sends nested objects (it flattens them); kept verbatim if a
    // client does
  }
}
