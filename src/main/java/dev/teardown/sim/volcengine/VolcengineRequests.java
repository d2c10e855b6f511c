package dev.teardown.sim.volcengine;

import dev.teardown.sim.ParamErrors;
import dev.teardown.sim.Params;
import dev.teardown.sim.SimRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The request side of Volcengine's wire format: {@code GET /?Action=..&Version=..&params} with
 * lists as {@code Key.N}, signed with HMAC-SHA256 ({@link VolcengineSignature}) and checked here as
 * the gateway checks it; the service an action belongs to; the parameters read with {@link Params}
 * and refused with the codes the vendor tables give (ecs says {@code InvalidArgument}, storage_ebs
 * {@code InvalidParameter}; DeleteVolume's missing VolumeId is {@code MissingVolumeID}); the ids a
 * call names and the parameters the ledger keeps.
 */
final class VolcengineRequests {
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);
  static final Map<String, String> SERVICE_OF_ACTION =
      Map.of(
          "DescribeInstances", "ecs",
          "DeleteInstances", "ecs",
          "DescribeVolumes", "storage_ebs",
          "DetachVolume", "storage_ebs",
          "DeleteVolume", "storage_ebs");
  private static final DateTimeFormatter X_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private VolcengineRequests() {}

  /** The query parameters of one call of {@code action}, refused in that action's words. */
  static Params params(String action, Map<String, String> query) {
    return Params.flat(query, errors(action));
  }

  private static ParamErrors errors(String action) {
    return new ParamErrors() {
      @Override
      public RuntimeException missing(String name) {
        String code =
            "DeleteVolume".equals(action) && "VolumeId".equals(name)
                ? "MissingVolumeID"
                : "MissingParameter";
        return VolcengineApiError.of(code, "The parameter " + name + " is required.");
      }

      @Override
      public RuntimeException invalid(Problem problem, String name, String detail) {
        String code =
            problem == Problem.BAD_LIST_KEY || "ecs".equals(SERVICE_OF_ACTION.get(action))
                ? "InvalidArgument"
                : "InvalidParameter";
        String what =
            switch (problem) {
              case NOT_A_NUMBER -> "is not a number";
              case OUT_OF_RANGE -> "must be between " + detail;
              default -> "is invalid";
            };
        return VolcengineApiError.of(code, "The parameter " + name + " " + what + ".");
      }
    };
  }

  /**
   * Request parameters as the ledger keeps them: without the empty-name parameter UniversalApi
   * adds.
   */
  static Map<String, String> ledgerParams(Map<String, String> params) {
    Map<String, String> m = new LinkedHashMap<>(params);
    m.remove("");
    return m;
  }

  /** The instance and volume ids a call names, for the ledger and for fault targeting. */
  static List<String> idsOf(String action, Map<String, String> query) {
    Params params = params(action, query);
    List<String> ids = new ArrayList<>();
    try {
      switch (action) {
        case "DescribeInstances", "DeleteInstances" -> ids.addAll(params.list("InstanceIds"));
        case "DescribeVolumes" -> {
          ids.addAll(params.list("VolumeIds"));
          nonEmpty(params, "InstanceId").ifPresent(ids::add);
        }
        case "DetachVolume", "DeleteVolume" -> {
          nonEmpty(params, "VolumeId").ifPresent(ids::add);
          nonEmpty(params, "InstanceId").ifPresent(ids::add);
        }
        default -> {}
      }
    } catch (VolcengineApiError malformed) {
      // the call is refused later with this error; the ledger keeps the ids that could be read
    }
    return List.copyOf(ids);
  }

  private static Optional<String> nonEmpty(Params params, String name) {
    return Optional.ofNullable(params.text(name)).filter(s -> !s.isEmpty());
  }

  /** The call's service must exist and own the action, in this API version. */
  static void route(String action, String version, String service) {
    if (!service.equals("ecs") && !service.equals("storage_ebs")) {
      throw VolcengineApiError.of("ServiceNotFound", "The service " + service + " does not exist.");
    }
    if (!service.equals(SERVICE_OF_ACTION.get(action))
        || !VolcengineSimulator.API_VERSION.equals(version)) {
      throw VolcengineApiError.of(
          "InvalidActionOrVersion",
          "Could not find operation "
              + action
              + " for version "
              + version
              + " of "
              + service
              + ".");
    }
  }

  /** Verifies the signature as the gateway does; throws the gateway's code on any mismatch. */
  static void authenticate(
      SimRequest req,
      Map<String, String> params,
      VolcengineSignature.Authorization auth,
      Map<String, String> secrets,
      Clock clock) {
    if (req.header("authorization") == null) {
      throw VolcengineApiError.of(
          "MissingSignature", "The request must contain an Authorization header.");
    }
    if (auth == null) {
      throw VolcengineApiError.of("MissingSignature", "The Authorization header is malformed.");
    }
    String secret = secrets.get(auth.accessKeyId());
    if (secret == null) {
      throw VolcengineApiError.of(
          "InvalidAccessKey", "The AccessKeyId you provided does not exist in our records.");
    }
    String xDate = req.header("x-date");
    Instant signedAt;
    try {
      signedAt = LocalDateTime.parse(xDate == null ? "" : xDate, X_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw VolcengineApiError.of("InvalidTimestamp", "The X-Date header is missing or malformed.");
    }
    if (Duration.between(signedAt, clock.instant()).abs().compareTo(MAX_CLOCK_SKEW) > 0) {
      throw VolcengineApiError.of(
          "InvalidTimestamp", "The request timestamp is too far from the server time.");
    }
    String canonical =
        VolcengineSignature.canonicalRequest(
            req.method(),
            req.uri().getRawPath(),
            params,
            auth.signedHeaders(),
            req::header,
            req.body());
    String expected =
        VolcengineSignature.sign(
            secret,
            auth.date(),
            auth.region(),
            auth.service(),
            VolcengineSignature.stringToSign(xDate, auth.scope(), canonical));
    if (!xDate.startsWith(auth.date())
        || !VolcengineSignature.matches(expected, auth.signature())) {
      throw VolcengineApiError.of(
          "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your Secret Access "
              + "Key and signing method. Consult the service documentation for details.");
    }
  }
}
