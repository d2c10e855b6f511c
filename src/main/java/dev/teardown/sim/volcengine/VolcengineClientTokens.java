package dev.teardown.sim.volcengine;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The ClientToken rule of DeleteInstances and DeleteVolume: the same token (per access key and
 * action) with the same parameters replays the recorded answer without a second effect; the same
 * token with other parameters is {@code IdempotentParameterMismatch}; a token longer than 64
 * characters or with characters outside printable ASCII is {@code InvalidClientToken.Malformed}.
 * Other actions, and calls without a token, apply every time. Not thread-safe: the simulator
 * serialises access.
 */
final class VolcengineClientTokens {

  /** An answer recorded under a ClientToken. */
  private record Recorded(String fingerprint, Map<String, Object> result) {}

  private final Map<String, Recorded> tokens = new HashMap<>();

  /**
   * Applies a call once per token: replays the recorded answer (not effective) or runs {@code
   * apply} and records its answer.
   *
   * @param params the call's parameters as the ledger keeps them
   */
  VolcengineResponses.Outcome once(
      String accessKeyId,
      String action,
      Map<String, String> params,
      Supplier<VolcengineResponses.Outcome> apply) {
    String token = params.get("ClientToken");
    boolean idempotent =
        token != null
            && !token.isEmpty()
            && (action.equals("DeleteInstances") || action.equals("DeleteVolume"));
    if (!idempotent) {
      return apply.get();
    }
    if (token.length() > 64 || !token.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      throw VolcengineApiError.of(
          "InvalidClientToken.Malformed", "The specified ClientToken is malformed.");
    }
    String key = accessKeyId + "|" + action + "|" + token;
    Map<String, String> fp = new TreeMap<>(params);
    fp.remove("ClientToken");
    String fingerprint = fp.toString();
    Recorded r = tokens.get(key);
    if (r != null) {
      if (!r.fingerprint().equals(fingerprint)) {
        throw VolcengineApiError.of(
            "IdempotentParameterMismatch",
            "The request uses the same client token as a previous, but non-identical request. Do not reuse a "
                + "client token with different requests, unless the requests are identical.");
      }
      return new VolcengineResponses.Outcome(r.result(), false);
    }
    VolcengineResponses.Outcome outcome = apply.get();
    tokens.put(key, new Recorded(fingerprint, outcome.result()));
    return outcome;
  }
}
