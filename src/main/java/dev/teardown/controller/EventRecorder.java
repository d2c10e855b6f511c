package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events on phase changes and errors. Never fails a reconcile; messages never contain secrets. */
public final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private static final AtomicLong SEQ = new AtomicLong();
  private final Clock clock;

  public EventRecorder(Clock clock) {
    this.clock = clock;
  }

  public void normal(KubernetesClient client, CloudInstanceDeletion r, String reason, String message) {
    emit(client, r, "Normal", reason, message);
  }

  public void warning(KubernetesClient client, CloudInstanceDeletion r, String reason, String message) {
    emit(client, r, "Warning", reason, message);
  }

  private void emit(KubernetesClient client, CloudInstanceDeletion r, String type, String reason, String message) {
    String ns = r.getMetadata().getNamespace();
    String now = clock.instant().toString();
    String name = r.getMetadata().getName() + "." + Long.toHexString(System.currentTimeMillis())
        + Long.toHexString(SEQ.incrementAndGet()).toLowerCase(Locale.ROOT);
    try {
      client.v1().events().inNamespace(ns).resource(new EventBuilder()
          .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion(r.getApiVersion()).withKind(r.getKind()).withName(r.getMetadata().getName())
              .withNamespace(ns).withUid(r.getMetadata().getUid()).build())
          .withType(type).withReason(Conditions.reason(reason))
          .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .withNewSource().withComponent("teardown").endSource()
          .build()).create();
    } catch (RuntimeException e) {
      log.debug("could not record event {} for {}/{}: {}", reason, ns, r.getMetadata().getName(), e.toString());
    }
  }
}
