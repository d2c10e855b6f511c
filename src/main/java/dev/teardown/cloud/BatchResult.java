package dev.teardown.cloud;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The result of one batch call that the cloud accepted: ids in {@code failures} got their own error
 * (Volcengine OperationDetails, per-disk errors); every other id was accepted. {@code recycled}
 * names accepted ids the cloud's answer itself put in its recycle bin (CompShare {@code
 * InRecycle=Yes}): they must never be terminated again.
 */
public record BatchResult(
    String requestId, Map<String, CloudError> failures, Set<String> recycled) {

  public BatchResult(String requestId, Map<String, CloudError> failures) {
    this(requestId, failures, Set.of());
  }

  public BatchResult withRecycled(Set<String> ids) {
    return new BatchResult(requestId, failures, Set.copyOf(ids));
  }

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
