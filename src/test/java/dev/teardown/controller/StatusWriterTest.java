package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The one status writer. fabric8's CRUD mock does not enforce resourceVersion on status writes, so
 * the precondition is tested twice here: on a small in-memory API that enforces it the way
 * kube-apiserver does (409 on a stale resourceVersion), and on fabric8's mock server in expectation
 * mode answering 409, to show that the real client call sends the resourceVersion that was read and
 * is made exactly once (no silent retry with a fresh version).
 */
class StatusWriterTest {

  /**
   * An API that keeps one object and refuses a write carrying another resourceVersion, like
   * kube-apiserver.
   */
  static final class StrictApi implements StatusWriter.StatusApi {
    CloudInstanceDeletion stored;
    final AtomicInteger puts = new AtomicInteger();

    StrictApi(CloudInstanceDeletion initial) {
      stored = Serialization.clone(initial);
    }

    @Override
    public synchronized CloudInstanceDeletion replaceStatus(CloudInstanceDeletion desired) {
      puts.incrementAndGet();
      if (!stored
          .getMetadata()
          .getResourceVersion()
          .equals(desired.getMetadata().getResourceVersion())) {
        throw new KubernetesClientException(
            new StatusBuilder()
                .withCode(409)
                .withReason("Conflict")
                .withMessage("the object has been modified")
                .build());
      }
      CloudInstanceDeletion next = Serialization.clone(stored);
      next.setStatus(Serialization.clone(desired.getStatus()));
      next.getMetadata()
          .setResourceVersion(
              String.valueOf(Long.parseLong(stored.getMetadata().getResourceVersion()) + 1));
      stored = next;
      return Serialization.clone(next);
    }

    synchronized CloudInstanceDeletion read() {
      return Serialization.clone(stored);
    }
  }

  private static CloudInstanceDeletion resource(String rv, Phase phase) {
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName("x")
            .withNamespace("default")
            .withResourceVersion(rv)
            .build());
    CloudInstanceDeletionStatus st = new CloudInstanceDeletionStatus();
    st.setPhase(phase);
    r.setStatus(st);
    return r;
  }

  private static CloudInstanceDeletionStatus phase(Phase p) {
    CloudInstanceDeletionStatus st = new CloudInstanceDeletionStatus();
    st.setPhase(p);
    return st;
  }

  @Test
  void aStaleWriteCannotRegressANewerPhaseAndIsNeverResent() {
    StrictApi api = new StrictApi(resource("1", Phase.ReleasingDisks));
    List<String> cached = new ArrayList<>();
    StatusWriter writer =
        new StatusWriter(api, (w, p) -> cached.add(w.getMetadata().getResourceVersion()));
    CloudInstanceDeletion staleRead = api.read(); // a reconcile that is about to be overtaken
    CloudInstanceDeletion freshRead = api.read();

    writer.write(freshRead, phase(Phase.Done)); // the newer reconcile finishes first
    assertThatThrownBy(() -> writer.write(staleRead, phase(Phase.Terminating)))
        .isInstanceOf(StatusWriter.Conflict.class)
        .hasMessageContaining("resourceVersion 1");

    assertThat(api.read().getStatus().getPhase()).as("Done stays Done").isEqualTo(Phase.Done);
    assertThat(api.puts.get()).as("the stale payload was sent once and dropped").isEqualTo(2);
    assertThat(cached).as("only the accepted write is cached").containsExactly("2");
  }

  @Test
  void consecutiveWritesOfOneReconcileCarryTheVersionOfTheLastWrite() {
    StrictApi api = new StrictApi(resource("5", Phase.Terminating));
    StatusWriter writer = new StatusWriter(api, (w, p) -> {});
    CloudInstanceDeletion latest = api.read();
    latest = writer.write(latest, phase(Phase.Terminating)); // the intent before a call
    latest = writer.write(latest, phase(Phase.AwaitingShutdown)); // the result after it
    assertThat(latest.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(api.read().getStatus().getPhase()).isEqualTo(Phase.AwaitingShutdown);
  }

  @Test
  void otherFailuresAreNotSwallowed() {
    StatusWriter writer =
        new StatusWriter(
            d -> {
              throw new KubernetesClientException(
                  new StatusBuilder().withCode(500).withMessage("etcd down").build());
            },
            (w, p) -> {});
    assertThatThrownBy(() -> writer.write(resource("1", Phase.Pending), phase(Phase.Terminating)))
        .isInstanceOf(KubernetesClientException.class)
        .isNotInstanceOf(StatusWriter.Conflict.class);
  }

  @Test
  void aWriteWithoutTheVersionThatWasReadIsRefusedBeforeItIsSent() {
    AtomicInteger calls = new AtomicInteger();
    StatusWriter writer =
        new StatusWriter(
            d -> {
              calls.incrementAndGet();
              return d;
            },
            (w, p) -> {});
    assertThatThrownBy(() -> writer.write(resource(null, Phase.Pending), phase(Phase.Terminating)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(calls).hasValue(0);
  }

  @Test
  void fabric8SendsTheResourceVersionReadAndDoesNotRetryA409() throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      String path =
          "/apis/teardown.dev/v1alpha1/namespaces/default/cloudinstancedeletions/x/status";
      server
          .expect()
          .put()
          .withPath(path)
          .andReturn(
              409,
              new StatusBuilder()
                  .withCode(409)
                  .withReason("Conflict")
                  .withMessage("Operation cannot be fulfilled: the object has been modified")
                  .build())
          .always();
      int before = server.getRequestCount();
      StatusWriter writer = new StatusWriter(StatusWriter.fabric8(client), (w, p) -> {});

      assertThatThrownBy(
              () -> writer.write(resource("7", Phase.Terminating), phase(Phase.AwaitingShutdown)))
          .isInstanceOf(StatusWriter.Conflict.class);

      assertThat(server.getRequestCount() - before).as("one PUT, no retry").isEqualTo(1);
      var request = server.getLastRequest();
      assertThat(request.getMethod()).isEqualTo("PUT");
      assertThat(request.getPath()).isEqualTo(path);
      CloudInstanceDeletion sent =
          Serialization.unmarshal(request.getBody().readUtf8(), CloudInstanceDeletion.class);
      assertThat(sent.getMetadata().getResourceVersion()).as("the precondition").isEqualTo("7");
      assertThat(sent.getStatus().getPhase()).isEqualTo(Phase.AwaitingShutdown);
    } finally {
      server.destroy();
    }
  }
}
