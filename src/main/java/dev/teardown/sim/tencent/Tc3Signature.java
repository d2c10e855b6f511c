package dev.teardown.sim.tencent;

import dev.teardown.sim.AuthorizationHeader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256), recomputed the way the Java SDK computes
 * it: the credential-scope service is the first dot-separated label of the Host (so {@code
 * 127.0.0.1:PORT} signs as service "127"), the date is the UTC day of X-TC-Timestamp, and the
 * canonical headers are the signed headers with lower-case, trimmed values.
 */
final class Tc3Signature {
  static final String ALGORITHM = "TC3-HMAC-SHA256";
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private Tc3Signature() {}

  /**
   * The parts of an {@code Authorization: TC3-HMAC-SHA256 Credential=..., SignedHeaders=...,
   * Signature=...} header.
   */
  record Authorization(
      String secretId, String date, String service, String signedHeaders, String signature) {

    /** Parses the header; null when it is not a well-formed TC3 authorization. */
    static Authorization parse(String header) {
      AuthorizationHeader h = AuthorizationHeader.parse(header, ALGORITHM);
      if (h == null) {
        return null;
      }
      String[] scope = h.credentialScope();
      if (scope.length != 4 || !"tc3_request".equals(scope[3])) {
        return null;
      }
      return new Authorization(scope[0], scope[1], scope[2], h.signedHeaders(), h.signature());
    }
  }

  /**
   * The credential-scope service the SDK derives from its endpoint, which it also sends as Host.
   */
  static String serviceOf(String host) {
    return host.split("\\.")[0];
  }

  static String dayOf(long timestampSeconds) {
    return DAY.format(Instant.ofEpochSecond(timestampSeconds));
  }

  /**
   * The signature the client must have sent.
   *
   * @param signedHeaderValues the values of the signed headers, keyed by lower-case name, in
   *     SignedHeaders order
   * @param payloadHash hex SHA-256 of the body, or of "UNSIGNED-PAYLOAD" when the client declared
   *     so
   */
  static String expected(
      String secretKey,
      String method,
      String canonicalQuery,
      Map<String, String> signedHeaderValues,
      String payloadHash,
      long timestampSeconds,
      String service) {
    StringBuilder canonicalHeaders = new StringBuilder();
    for (Map.Entry<String, String> h : signedHeaderValues.entrySet()) {
      canonicalHeaders
          .append(h.getKey())
          .append(':')
          .append(h.getValue().trim().toLowerCase(Locale.ROOT))
          .append('\n');
    }
    String signedHeaders = String.join(";", signedHeaderValues.keySet());
    String canonicalRequest =
        method
            + "\n/\n"
            + canonicalQuery
            + "\n"
            + canonicalHeaders
            + "\n"
            + signedHeaders
            + "\n"
            + payloadHash;
    String date = dayOf(timestampSeconds);
    String scope = date + "/" + service + "/tc3_request";
    String stringToSign =
        ALGORITHM
            + "\n"
            + timestampSeconds
            + "\n"
            + scope
            + "\n"
            + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    byte[] kDate = hmac(("TC3" + secretKey).getBytes(StandardCharsets.UTF_8), date);
    byte[] kService = hmac(kDate, service);
    byte[] kSigning = hmac(kService, "tc3_request");
    return HexFormat.of().formatHex(hmac(kSigning, stringToSign));
  }

  static boolean matches(String expected, String given) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String msg) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(msg.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
