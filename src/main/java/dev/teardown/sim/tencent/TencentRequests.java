package dev.teardown.sim.tencent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.sim.ParamErrors;
import dev.teardown.sim.Params;
import dev.teardown.sim.SimRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The request side of Tencent's wire format (API 3.0): the TC3-HMAC-SHA256 signature checked as the
 * gateway checks it, the JSON body, its parameters read with {@link Params} (lists are arrays; a
 * missing one is {@code MissingParameter}, a non-array {@code InvalidParameter}), {@code Filters}
 * and {@code Offset}/{@code Limit} paging, and the ids and flags a call names for the ledger and
 * for targeted faults.
 */
final class TencentRequests {
  static final int MAX_FILTERS = 10;
  static final int MAX_FILTER_VALUES = 5;
  private static final long MAX_CLOCK_SKEW_SECONDS = 300;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How Tencent refuses a missing or malformed parameter. */
  static final ParamErrors ERRORS =
      new ParamErrors() {
        @Override
        public RuntimeException missing(String name) {
          return new TencentApiError(
              "MissingParameter", "The request is missing a required parameter `" + name + "`.");
        }

        @Override
        public RuntimeException invalid(Problem problem, String name, String detail) {
          return problem == Problem.NOT_A_LIST
              ? new TencentApiError(
                  "InvalidParameter", "The parameter `" + name + "` must be an array of strings.")
              : new TencentApiError(
                  "InvalidParameterValue", "The parameter `" + name + "` is invalid.");
        }
      };

  private TencentRequests() {}

  /** The body as JSON (an empty body is an empty object); null when it is not JSON. */
  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  static Params params(JsonNode body) {
    return Params.json(body, ERRORS);
  }

  /** The list without repeats, in first-seen order. */
  static List<String> distinct(List<String> ids) {
    return List.copyOf(new LinkedHashSet<>(ids));
  }

  /** The ids a call names, for the ledger and for targeted faults. */
  static List<String> idsOf(JsonNode body) {
    List<String> ids = new ArrayList<>();
    for (String field : List.of("InstanceIds", "DiskIds")) {
      body.path(field).forEach(v -> ids.add(v.asText()));
    }
    body.path("Filters")
        .forEach(
            f -> {
              String name = f.path("Name").asText();
              if (name.equals("instance-id") || name.equals("disk-id")) {
                f.path("Values").forEach(v -> ids.add(v.asText()));
              }
            });
    return ids;
  }

  /** The request flags the ledger keeps. */
  static Map<String, String> ledgerFlags(JsonNode body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : List.of("ReleasePrepaidDataDisks", "ReleaseAddress", "InstanceId")) {
      if (body.hasNonNull(f)) {
        out.put(f, body.get(f).asText());
      }
    }
    return out;
  }

  /** {@code Filters}: name → allowed values; a name outside {@code known} is refused. */
  static Map<String, Set<String>> filters(JsonNode p, Set<String> known) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    JsonNode fs = p.get("Filters");
    if (fs == null || fs.isNull()) {
      return out;
    }
    if (!fs.isArray() || fs.size() > MAX_FILTERS) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "At most " + MAX_FILTERS + " `Filters` are allowed.");
    }
    for (JsonNode f : fs) {
      String name = f.path("Name").asText();
      if (!known.contains(name)) {
        throw new TencentApiError("InvalidFilter", "The filter `" + name + "` is not supported.");
      }
      List<String> values = params(f).list("Values");
      if (values.size() > MAX_FILTER_VALUES) {
        throw new TencentApiError(
            "InvalidParameterValue.LimitExceeded",
            "At most " + MAX_FILTER_VALUES + " values are allowed in filter `" + name + "`.");
      }
      out.computeIfAbsent(name, k -> new LinkedHashSet<>()).addAll(values);
    }
    return out;
  }

  /** {@code Offset} and {@code Limit} of a Describe call, checked when applied. */
  record Page(long offset, long limit) {
    static Page of(Params p) {
      return new Page(p.lenientLong("Offset", 0), p.lenientLong("Limit", 20));
    }

    <T> List<T> slice(List<T> all) {
      if (offset < 0 || limit < 0 || limit > TencentWorld.MAX_DESCRIBE) {
        throw new TencentApiError(
            "InvalidParameterValue",
            "`Offset` must be >= 0 and `Limit` between 0 and " + TencentWorld.MAX_DESCRIBE + ".");
      }
      if (offset >= all.size()) {
        return List.of();
      }
      return all.subList((int) offset, (int) Math.min(all.size(), offset + limit));
    }
  }

  /**
   * Verifies the request as Tencent's gateway does; throws the gateway's AuthFailure code on any
   * mismatch.
   */
  static void authenticate(SimRequest req, Map<String, String> secrets, Clock clock) {
    Tc3Signature.Authorization auth = Tc3Signature.Authorization.parse(req.header("Authorization"));
    if (auth == null) {
      throw new TencentApiError(
          "AuthFailure.InvalidAuthorization",
          "The `Authorization` header is missing or malformed.");
    }
    long ts;
    try {
      ts = Long.parseLong(req.header("X-TC-Timestamp"));
    } catch (NumberFormatException e) {
      throw new TencentApiError(
          "MissingParameter", "The request is missing a valid `X-TC-Timestamp`.");
    }
    long now = clock.millis() / 1000;
    if (Math.abs(now - ts) > MAX_CLOCK_SKEW_SECONDS) {
      throw new TencentApiError(
          "AuthFailure.SignatureExpire",
          "Signature expired: timestamp "
              + ts
              + " is more than 5 minutes away from server time "
              + now
              + ".");
    }
    String secretKey = secrets.get(auth.secretId());
    if (secretKey == null) {
      throw new TencentApiError(
          "AuthFailure.SecretIdNotFound", "The SecretId is not found; check it and try again.");
    }
    String host = req.header("Host");
    Map<String, String> signed = new LinkedHashMap<>();
    for (String name : auth.signedHeaders().split(";")) {
      String value = req.header(name);
      if (value == null) {
        throw new TencentApiError(
            "AuthFailure.SignatureFailure", "The signed header `" + name + "` is missing.");
      }
      signed.put(name.toLowerCase(Locale.ROOT), value);
    }
    if (host == null || !signed.containsKey("host") || !signed.containsKey("content-type")) {
      throw new TencentApiError(
          "AuthFailure.SignatureFailure", "`host` and `content-type` must be signed.");
    }
    String payloadHash =
        "UNSIGNED-PAYLOAD".equals(req.header("X-TC-Content-SHA256"))
            ? Tc3Signature.sha256Hex("UNSIGNED-PAYLOAD".getBytes(StandardCharsets.UTF_8))
            : Tc3Signature.sha256Hex(req.body());
    String query = req.uri().getRawQuery() == null ? "" : req.uri().getRawQuery();
    String expected =
        Tc3Signature.expected(
            secretKey, req.method(), query, signed, payloadHash, ts, Tc3Signature.serviceOf(host));
    if (!Tc3Signature.matches(expected, auth.signature())) {
      throw new TencentApiError(
          "AuthFailure.SignatureFailure",
          "The provided credentials could not be validated. Please check your signature is correct.");
    }
  }
}
