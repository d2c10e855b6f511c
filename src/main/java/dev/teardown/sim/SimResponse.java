package dev.teardown.sim;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP response, with an optional delay and an action to run after it is decided (used to apply
 * a call and then lose its response).
 */
public record SimResponse(
    int status, Map<String, String> headers, byte[] body, long delayMs, boolean dropConnection) {

  public static SimResponse json(int status, String json) {
    return new SimResponse(
        status,
        Map.of("Content-Type", "application/json"),
        json.getBytes(StandardCharsets.UTF_8),
        0,
        false);
  }

  public static SimResponse json(int status, String json, Map<String, String> extraHeaders) {
    java.util.Map<String, String> h = new java.util.HashMap<>(extraHeaders);
    h.put("Content-Type", "application/json");
    return new SimResponse(status, h, json.getBytes(StandardCharsets.UTF_8), 0, false);
  }

  public SimResponse delayed(long ms) {
    return new SimResponse(status, headers, body, ms, dropConnection);
  }

  public static SimResponse timeout(long ms) {
    return new SimResponse(504, Map.of(), new byte[0], ms, true);
  }
}
