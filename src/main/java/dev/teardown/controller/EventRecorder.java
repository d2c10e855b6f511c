package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events on phase changes and errors. Never fails a reconcile; messages never
 * contain secrets.
 *
 * <p>Events are aggregated like the kubelet's: the same type, reason and message about the same
 * object (by uid) always go to the same Event, named from a hash of those four, so a repeat raises
 * its {@code count} and moves its {@code lastTimestamp} instead of adding an object. The name is
 * deterministic, so this holds across restarts and leader changes without any in-memory state.
 */
public final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  static final int MAX_MESSAGE = 1000;
  private final Clock clock;

  public EventRecorder(Clock clock) {
    this.clock = clock;
  }

  public void normal(
      KubernetesClient client, CloudInstanceDeletion r, String reason, String message) {
    emit(client, r, "Normal", reason, message);
  }

  public void warning(
      KubernetesClient client, CloudInstanceDeletion r, String reason, String message) {
    emit(client, r, "Warning", reason, message);
  }

  /**
   * The Event's name for this object, type, reason and message: the object's name, a dot, 16 hex
   * digits.
   */
  static String eventName(CloudInstanceDeletion r, String type, String reason, String message) {
    String base = r.getMetadata().getName();
    if (base.length() > 200) {
      base = base.substring(0, 200);
    }
    String key = r.getMetadata().getUid() + "\n" + type + "\n" + reason + "\n" + message;
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return base + "." + HexFormat.of().formatHex(h, 0, 8).toLowerCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  private void emit(
      KubernetesClient client,
      CloudInstanceDeletion r,
      String type,
      String reason,
      String message) {
    String ns = r.getMetadata().getNamespace();
    String now = clock.instant().toString();
    String why = Conditions.reason(reason);
    String text =
        message == null
            ? why
            : message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    String name = eventName(r, type, why, text);
    try {
      try {
        client
            .v1()
            .events()
            .inNamespace(ns)
            .resource(
                new EventBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(ns)
                    .endMetadata()
                    .withInvolvedObject(
                        new ObjectReferenceBuilder()
                            .withApiVersion(r.getApiVersion())
                            .withKind(r.getKind())
                            .withName(r.getMetadata().getName())
                            .withNamespace(ns)
                            .withUid(r.getMetadata().getUid())
                            .build())
                    .withType(type)
                    .withReason(why)
                    .withMessage(text)
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource()
                    .withComponent("teardown")
                    .endSource()
                    .withReportingComponent("teardown")
                    .build())
            .create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // the same event again: count it on the existing object (edit reads, changes and patches
        // it)
        client.v1().events().inNamespace(ns).withName(name).edit(ev -> repeated(ev, now));
      }
    } catch (RuntimeException e) {
      log.debug(
          "could not record event {} for {}/{}: {}",
          reason,
          ns,
          r.getMetadata().getName(),
          e.toString());
    }
  }

  private static Event repeated(Event ev, String now) {
    ev.setCount(ev.getCount() == null ? 2 : ev.getCount() + 1);
    ev.setLastTimestamp(now);
    return ev;
  }
}
