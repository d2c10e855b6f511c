package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The one way Teardown writes status: a whole-status PUT to {@code /status} carrying the
 * resourceVersion the reconcile read. If anything wrote the resource since, the API server answers
 * 409 and this writer throws {@link Conflict}: the caller re-queues and observes again; the payload
 * computed from the stale read is dropped, never re-sent on top of the newer object. Any other
 * failure propagates (nothing is swallowed). A successful write is handed to {@code cache} so the
 * next reconcile starts from it rather than from an informer that lags.
 */
public final class StatusWriter {

  /** The status PUT; it must send the given object's resourceVersion as the precondition. */
  @FunctionalInterface
  public interface StatusApi {
    CloudInstanceDeletion replaceStatus(CloudInstanceDeletion desired);
  }

  /** Remembers a written object (JOSDK's temporary resource cache in the operator). */
  @FunctionalInterface
  public interface WriteCache {
    void remember(CloudInstanceDeletion written, CloudInstanceDeletion previous);
  }

  /** The resource changed since it was read: nothing was written. */
  public static final class Conflict extends RuntimeException {
    public Conflict(String message) {
      super(message);
    }
  }

  private final StatusApi api;
  private final WriteCache cache;

  public StatusWriter(StatusApi api, WriteCache cache) {
    this.api = api;
    this.cache = cache;
  }

  /**
   * fabric8's {@code updateStatus()}: PUT .../status with metadata.resourceVersion of the object as
   * precondition.
   */
  public static StatusApi fabric8(KubernetesClient client) {
    return desired -> client.resource(desired).updateStatus();
  }

  /**
   * Writes {@code status} onto the object as it was {@code read}; returns the object the server
   * stored.
   *
   * @throws Conflict when the server has a newer resourceVersion (HTTP 409)
   */
  public CloudInstanceDeletion write(
      CloudInstanceDeletion read, CloudInstanceDeletionStatus status) {
    String rv = read.getMetadata().getResourceVersion();
    if (rv == null || rv.isEmpty()) {
      throw new IllegalArgumentException("a status write needs the resourceVersion that was read");
    }
    // A shallow copy: the PUT serializes it before it returns, and nothing here changes the read
    // object, its spec or the status (a JSON round trip of the whole object per write was a large
    // share of the operator's CPU with many deletions).
    CloudInstanceDeletion desired = new CloudInstanceDeletion();
    desired.setMetadata(new ObjectMetaBuilder(read.getMetadata()).build());
    desired.setSpec(read.getSpec());
    desired.setStatus(status);
    CloudInstanceDeletion written;
    try {
      written = api.replaceStatus(desired);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new Conflict(
            read.getMetadata().getNamespace()
                + "/"
                + read.getMetadata().getName()
                + " changed since resourceVersion "
                + rv
                + " was read; observing again");
      }
      throw e;
    }
    if (written == null || written.getMetadata().getResourceVersion() == null) {
      throw new IllegalStateException(
          "status write of " + read.getMetadata().getName() + " returned no object");
    }
    // like the informer's copies (OperatorRuntime.withoutManagedFields): never read, often large
    written.getMetadata().setManagedFields(null);
    cache.remember(written, read);
    return written;
  }
}
