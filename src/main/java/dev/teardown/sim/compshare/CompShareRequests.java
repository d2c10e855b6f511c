package dev.teardown.sim.compshare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.sim.ParamErrors;
import dev.teardown.sim.Params;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The request side of UCloud CompShare's wire format: {@code POST} with a flat JSON body (lists
 * flattened as {@code Key.N}, 0-based), read as signed text per key; the gateway's checks (Action,
 * Signature, PublicKey, the UCloud SHA1 signature of {@link CompShareSignature}, known actions,
 * Region); the parameters read with {@link Params} and refused with RetCode 220 {@code Missing
 * params [X]}; the ids a call names and the parameters the ledger keeps.
 */
final class CompShareRequests {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How CompShare refuses a parameter: a blank one is missing; a {@code Key.N.Sub} is not a list
   * item.
   */
  static final ParamErrors ERRORS =
      new ParamErrors() {
        @Override
        public RuntimeException missing(String name) {
          return new CompShareRefusal(
              CompShareCodes.MISSING_PARAMS, "Missing params [" + name + "]");
        }

        @Override
        public RuntimeException invalid(Problem problem, String name, String detail) {
          return new CompShareRefusal(
              CompShareCodes.PARAMS_NOT_AVAILABLE, "Params [" + name + "] not available");
        }

        @Override
        public boolean absent(String value) {
          return value == null || value.isBlank();
        }

        @Override
        public boolean strictListKeys() {
          return false;
        }
      };

  private CompShareRequests() {}

  /**
   * The flat body as signed text per key; a body that is not a JSON object yields no parameters.
   */
  static Map<String, String> parse(String body) {
    Map<String, String> out = new TreeMap<>();
    try {
      JsonNode root = JSON.readTree(body);
      if (root != null && root.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String v = CompShareSignature.valueText(e.getValue());
          if (v != null) {
            out.put(e.getKey(), v);
          }
        }
      }
    } catch (JsonProcessingException e) {
      // unreadable body: no parameters, so the call is refused as Missing Action
    }
    return out;
  }

  static Params params(Map<String, String> body) {
    return Params.flat(body, ERRORS);
  }

  /**
   * The gateway's checks, in its order: an action, a signature, a known public key, a signature
   * that matches, an action that exists.
   */
  static void authenticate(
      String action, Map<String, String> params, Map<String, String> secrets, Set<String> actions) {
    if (action == null || action.isBlank()) {
      throw new CompShareRefusal(CompShareCodes.MISSING_ACTION, "Missing Action");
    }
    String signature = params.get("Signature");
    if (signature == null || signature.isBlank()) {
      throw new CompShareRefusal(CompShareCodes.MISSING_SIGNATURE, "Missing signature");
    }
    String privateKey = secrets.get(params.get("PublicKey"));
    if (privateKey == null) {
      throw new CompShareRefusal(CompShareCodes.USER_NOT_EXISTS, "User Not Exists");
    }
    if (!CompShareSignature.sign(params, privateKey).equals(signature)) {
      throw new CompShareRefusal(CompShareCodes.SIGNATURE_ERROR, "Signature VerifyAC Error");
    }
    if (!actions.contains(action)) {
      throw new CompShareRefusal(
          CompShareCodes.ACTION_NOT_FOUND, "Action [" + action + "] not found");
    }
  }

  /** Region is required, and a world with a region answers only for it. */
  static void checkRegion(Map<String, String> params, String worldRegion) {
    String region = params.get("Region");
    if (region == null || region.isBlank()) {
      throw new CompShareRefusal(CompShareCodes.MISSING_PARAMS, "Missing params [Region]");
    }
    if (worldRegion != null && !worldRegion.equals(region)) {
      throw new CompShareRefusal(
          CompShareCodes.PARAMS_NOT_AVAILABLE, "Params [Region] not available");
    }
  }

  /** {@code Key.0, Key.1, ...} in index order. */
  static List<String> indexed(Map<String, String> p, String key) {
    return params(p).list(key);
  }

  /** The ids a call names, for the ledger and for targeted faults. */
  static List<String> ids(Map<String, String> p) {
    List<String> ids = new ArrayList<>(indexed(p, "UHostIds"));
    for (String k : List.of("UHostId", "UDiskId")) {
      if (p.get(k) != null) {
        ids.add(p.get(k));
      }
    }
    return ids;
  }

  /** The parameters the ledger keeps: all but the credentials and the action. */
  static Map<String, String> recordable(Map<String, String> p) {
    Map<String, String> m = new TreeMap<>(p);
    m.remove("Signature");
    m.remove("PublicKey");
    m.remove("Action");
    return m;
  }
}
