package dev.teardown.sim.volcengine;

import dev.teardown.sim.AuthorizationHeader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Volcengine OpenAPI request signing (HMAC-SHA256 over a canonical request, key derived from the
 * secret, the date, the region and the service), recomputed on the server side exactly as
 * volcengine-java-sdk-core 2.0.11 computes it: the canonical query covers every query parameter,
 * including the empty-name one UniversalApi appends, sorted by name (Java String order), RFC
 * 3986-encoded; the canonical headers are the headers named in SignedHeaders (the SDK signs only
 * x-date, other clients may add host and others).
 */
public final class VolcengineSignature {

  /** The parsed Authorization header. */
  public record Authorization(
      String accessKeyId,
      String date,
      String region,
      String service,
      List<String> signedHeaders,
      String signature) {

    public String scope() {
      return date + "/" + region + "/" + service + "/request";
    }
  }

  private VolcengineSignature() {}

  /**
   * Parses {@code HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b,
   * Signature=hex}; null if malformed.
   */
  public static Authorization parse(String header) {
    AuthorizationHeader h = AuthorizationHeader.parse(header, "HMAC-SHA256");
    if (h == null) {
      return null;
    }
    String[] c = h.credentialScope();
    if (c.length != 5 || !"request".equals(c[4]) || c[1].length() != 8) {
      return null;
    }
    List<String> headers = new ArrayList<>();
    for (String name : h.signedHeaders().split(";")) {
      if (!name.isBlank()) {
        headers.add(name.trim().toLowerCase());
      }
    }
    return new Authorization(c[0], c[1], c[2], c[3], headers, h.signature());
  }

  /**
   * The canonical request: method, path, canonical query, the signed headers ({@code name:value\n}
   * each), an empty line, the signed header names, and the hex SHA-256 of the body.
   *
   * @param params decoded query parameters; the SDK builds a map, so a repeated name counts once
   *     (last wins)
   * @param header looks a lower-case header name up; null when absent
   */
  public static String canonicalRequest(
      String method,
      String path,
      Map<String, String> params,
      List<String> signedHeaders,
      Function<String, String> header,
      byte[] body) {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append('\n');
    sb.append(path == null || path.isEmpty() ? "/" : path).append('\n');
    sb.append(canonicalQuery(params)).append('\n');
    for (String h : signedHeaders) {
      String v = header.apply(h);
      sb.append(h).append(':').append(v == null ? "" : v.trim()).append('\n');
    }
    sb.append('\n');
    sb.append(String.join(";", signedHeaders)).append('\n');
    sb.append(sha256Hex(body));
    return sb.toString();
  }

  public static String canonicalQuery(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
    }
    return sb.toString();
  }

  public static String stringToSign(String xDate, String scope, String canonicalRequest) {
    return "HMAC-SHA256\n"
        + xDate
        + "\n"
        + scope
        + "\n"
        + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Hex HMAC-SHA256 signature of {@code stringToSign} with the key derived from the secret and the
   * scope parts.
   */
  public static String sign(
      String secret, String date, String region, String service, String stringToSign) {
    byte[] k = hmac(secret.getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    k = hmac(k, "request");
    return HexFormat.of().formatHex(hmac(k, stringToSign));
  }

  /** Constant-time comparison of two hex signatures. */
  public static boolean matches(String expected, String actual) {
    return actual != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII),
            actual.toLowerCase().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * RFC 3986 encoding as the SDK does it: unreserved A-Z a-z 0-9 - _ . ~ kept, everything else %XX
   * (upper case).
   */
  public static String encode(String s) {
    if (s == null) {
      return "null"; // what the SDK's StringBuilder appends for a null value
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /**
   * Decodes a raw query string into parameters in order. Only %XX escapes are decoded ('+' stays
   * '+', as the SDK encodes a space as %20). A repeated name keeps its last value, like the SDK's
   * map.
   */
  public static Map<String, String> decodeQuery(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(percentDecode(k), percentDecode(v));
    }
    return out;
  }

  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write((hi << 4) | lo);
          i += 3;
          continue;
        }
      }
      int cp = s.codePointAt(i);
      byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
      i += Character.charCount(cp);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(data == null ? new byte[0] : data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
