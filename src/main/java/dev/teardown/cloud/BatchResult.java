package dev.teardown.cloud;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of one batch call that the cloud accepted: ids in {@code failures} got their own error (Volcengine
 * OperationDetails, per-disk errors); every other id was accepted.
 */
public record BatchResult(String requestId, Map<String, CloudError> failures) {

  public static BatchResult ok(String requestId) {
    return new BatchResult(requestId, Map.of());
  }

  public static BatchResult withFailures(String requestId, Map<String, CloudError> failures) {
    return new BatchResult(requestId, new LinkedHashMap<>(failures));
  }

  public boolean failed(String id) {
    return failures.containsKey(id);
  }
}
