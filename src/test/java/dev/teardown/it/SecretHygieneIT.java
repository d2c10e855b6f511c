package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.controller.Conditions;
import dev.teardown.sandbox.Simulators;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.WorldSpec;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Full deletions on the three clouds with Secrets whose keys and tokens carry odd characters, with
 * cloud errors that quote the secret values back (retryable and terminal), and with Secrets whose
 * values a client would refuse. Every log line the JVM writes meanwhile, every event and every
 * status is searched for the secret values.
 */
class SecretHygieneIT {
  private static final Duration WAIT = Duration.ofSeconds(40);

  @Test
  void noSecretValueReachesLogsEventsOrStatusOnAnyCloud() throws Exception {
    WorldSpec world = new WorldSpec();
    Map<String, List<String>> ids = new LinkedHashMap<>();
    for (TestWorld c : TestWorld.all()) {
      WorldSpec.CloudWorld w = c.spec();
      List<String> fleet = c.fleet("hyge", 3);
      ids.put(c.name(), fleet);
      String leak =
          "signature mismatch for token="
              + String.join(" secret ", c.secretValues())
              + " key "
              + c.secretKey();
      // a retryable error quoting the secrets on the first describe of instance 0, a terminal one
      // on every describe
      // of instance 1 (a terminal refusal repeats; a merged describe refused as a whole is sent
      // again per deletion)
      w.faults.add(
          FaultRule.error(describe(c), retryableCode(c), 1).target(fleet.get(0)).message(leak));
      w.faults.add(
          FaultRule.error(describe(c), terminalCode(c), -1).target(fleet.get(1)).message(leak));
      world.clouds.put(c.name(), w);
    }
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    PrintStream out = System.out;
    System.setErr(new PrintStream(new Tee(captured, err), true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(new Tee(captured, out), true, StandardCharsets.UTF_8));
    Map<String, CloudSimulator> sims = Simulators.start(world, "127.0.0.1", 0);
    Map<String, URI> endpoints = new LinkedHashMap<>();
    sims.forEach((k, v) -> endpoints.put(k, v.endpoint()));
    List<String> secrets = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try (OperatorHarness h = OperatorHarness.start(endpoints)) {
      for (TestWorld c : TestWorld.all()) {
        String keys = c.name() + "-keys";
        h.secret(keys, c.secretWithToken());
        secrets.addAll(c.secretValues());
        List<String> fleet = ids.get(c.name());
        h.create(
            c.name() + "-retried",
            c.provider(),
            c.region(),
            keys,
            List.of(fleet.get(0)),
            c.specDefaults());
        h.create(
            c.name() + "-refused",
            c.provider(),
            c.region(),
            keys,
            List.of(fleet.get(1)),
            c.specDefaults());
        // a pasted non-ASCII character, a no-break space, an inner line break: refused before any
        // call
        Map<String, String> bad = new LinkedHashMap<>(c.secretWithToken());
        String badKey =
            bad.containsKey("token")
                ? "token"
                : bad.containsKey("sessionToken") ? "sessionToken" : "privateKey";
        String badValue = "Pasted\u00e9Val\u00a0ue\nof-" + c.name();
        bad.put(badKey, badValue);
        secrets.add(badValue);
        secrets.add("Pasted");
        h.secret(c.name() + "-bad", bad);
        h.create(
            c.name() + "-badsecret",
            c.provider(),
            c.region(),
            c.name() + "-bad",
            List.of(fleet.get(2)),
            c.specDefaults());
        names.addAll(
            List.of(c.name() + "-retried", c.name() + "-refused", c.name() + "-badsecret"));
      }

      for (TestWorld c : TestWorld.all()) {
        CloudInstanceDeletion done = h.awaitPhase(c.name() + "-retried", Phase.Done, WAIT);
        assertThat(sims.get(c.name()).orphanedDisks(List.of(ids.get(c.name()).get(0)))).isEmpty();
        assertThat(done.getStatus().getRetries()).isNull();
        CloudInstanceDeletion failed = h.awaitPhase(c.name() + "-refused", Phase.Failed, WAIT);
        assertThat(failed.getStatus().getLastError().getCode()).isEqualTo(terminalCode(c));
        assertThat(failed.getStatus().getLastError().getMessage()).contains("[redacted]");
        String badKey =
            c.name().equals("ucloud-compshare")
                ? "privateKey"
                : c.name().equals("tencentcloud") ? "token" : "sessionToken";
        await()
            .atMost(WAIT)
            .until(
                () ->
                    credentials(h.get(c.name() + "-badsecret")) != null
                        && "False".equals(credentials(h.get(c.name() + "-badsecret")).getStatus()));
        Condition cond = credentials(h.get(c.name() + "-badsecret"));
        assertThat(cond.getReason()).isEqualTo("SecretValueInvalid");
        assertThat(cond.getMessage()).contains("key " + badKey).contains(c.name() + "-bad");
        assertThat(ledgerOf(sims.get(c.name())).count(describe(c), ids.get(c.name()).get(2)))
            .as("a refused Secret makes no call")
            .isZero();
      }

      StringBuilder everything = new StringBuilder();
      for (String n : names) {
        everything.append(Serialization.asJson(h.get(n).getStatus()));
        everything.append(Serialization.asJson(h.events(n)));
      }
      everything.append(captured.toString(StandardCharsets.UTF_8));
      String text = everything.toString();
      assertThat(text).contains("SecretValueInvalid").contains("-retried");
      for (String s : secrets) {
        assertThat(text).as("secret value leaked").doesNotContain(s);
      }
      System.err.println(
          "SecretHygieneIT: searched "
              + text.length()
              + " characters of status, events and logs of "
              + names.size()
              + " deletions for "
              + secrets.size()
              + " secret values: none found");
    } finally {
      System.setErr(err);
      System.setOut(out);
      sims.values().forEach(CloudSimulator::close);
    }
  }

  private static Condition credentials(CloudInstanceDeletion r) {
    if (r == null || r.getStatus() == null) {
      return null;
    }
    return r.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(Conditions.CREDENTIALS))
        .findFirst()
        .orElse(null);
  }

  static String describe(TestWorld c) {
    return c.name().equals("ucloud-compshare") ? "DescribeCompShareInstance" : "DescribeInstances";
  }

  private static String retryableCode(TestWorld c) {
    return c.name().equals("ucloud-compshare") ? "5000" : "InternalError";
  }

  private static String terminalCode(TestWorld c) {
    return switch (c.provider()) {
      case TENCENTCLOUD -> "AuthFailure.SignatureFailure";
      case UCLOUD_COMPSHARE -> "171";
      case VOLCENGINE -> "SignatureDoesNotMatch";
    };
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
