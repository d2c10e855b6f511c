package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.sandbox.Simulators;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.TestWorld;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clouds × the calls of every phase × retryable faults: throttling, HTTP 5xx, timeout, connection
 * reset, truncated and non-JSON bodies, HTML error pages (200 and 502), and for mutating calls also
 * an operation lock and a lost answer after the cloud applied the call. Each case is one deletion
 * whose call is hit once; all cases of a cloud run together on one operator. Every case must end
 * Done with no orphaned disk and each destructive call effective exactly once per id; every fault
 * must actually have been hit. Each mutating call is also refused terminally, every time (the
 * cloud's "not allowed"): that deletion ends Failed with the cloud's code and no further mutating
 * call after the refusal of its own call.
 */
class FaultMatrixIT {
  private static final AtomicInteger CASES = new AtomicInteger();

  /** Longer than the harness's 2 s cloud timeout. */
  private static final long TIMEOUT_MS = 2500;

  /**
   * A call to hit: its action, whether it mutates, whether its ids are disks, and whether its
   * deletion needs a Tencent prepaid instance (it goes to the recycle bin keeping its postpaid disk
   * attached: the Detaching phase).
   */
  record Call(String action, boolean mutating, boolean disk, boolean prepaidHost) {
    Call(String action, boolean mutating, boolean disk) {
      this(action, mutating, disk, false);
    }
  }

  /** One fault kind, built for a cloud and a call. */
  record Fault(String name, boolean mutatingOnly, Function<TestWorld, FaultRule> rule) {}

  static final Map<String, List<Call>> CALLS =
      Map.of(
          "tencentcloud",
              List.of(
                  new Call("DescribeInstances", false, false),
                  new Call("DescribeDisks", false, true),
                  new Call("TerminateInstances", true, false),
                  new Call("DetachDisks", true, true, true),
                  new Call("TerminateDisks", true, true)),
          "ucloud-compshare",
              List.of(
                  new Call("DescribeCompShareInstance", false, false),
                  new Call("StopCompShareInstance", true, false),
                  new Call("TerminateCompShareInstance", true, false),
                  new Call("DeleteCompshareDisk", true, true)),
          "volcengine",
              List.of(
                  new Call("DescribeInstances", false, false),
                  new Call("DescribeVolumes", false, true),
                  new Call("DeleteInstances", true, false),
                  new Call("DeleteVolume", true, true)));

  static final List<Fault> FAULTS =
      List.of(
          new Fault(
              "throttle",
              false,
              c ->
                  new FaultRule()
                      .type(FaultRule.Type.ERROR)
                      .message("slow down")
                      .code(
                          switch (c.provider()) {
                            case TENCENTCLOUD -> "RequestLimitExceeded";
                            case UCLOUD_COMPSHARE -> "2003";
                            case VOLCENGINE -> "FlowLimitExceeded";
                          })),
          new Fault(
              "http503",
              false,
              c -> new FaultRule().type(FaultRule.Type.HTTP_ERROR).httpStatus(503)),
          new Fault(
              "timeout",
              false,
              c -> new FaultRule().type(FaultRule.Type.TIMEOUT).delayMs(TIMEOUT_MS)),
          new Fault("reset", false, c -> new FaultRule().type(FaultRule.Type.RESET)),
          new Fault("truncated", false, c -> new FaultRule().type(FaultRule.Type.TRUNCATED_BODY)),
          new Fault("nonJson", false, c -> new FaultRule().type(FaultRule.Type.NON_JSON_BODY)),
          new Fault(
              "html200",
              false,
              c -> new FaultRule().type(FaultRule.Type.HTML_PAGE).httpStatus(200)),
          new Fault(
              "html502",
              false,
              c -> new FaultRule().type(FaultRule.Type.HTML_PAGE).httpStatus(502)),
          new Fault(
              "lock",
              true,
              c ->
                  new FaultRule()
                      .type(FaultRule.Type.ERROR)
                      .code(
                          switch (c.provider()) {
                            case TENCENTCLOUD -> "OperationDenied.InstanceOperationInProgress";
                            case UCLOUD_COMPSHARE -> "InstanceOperationInProgress";
                            case VOLCENGINE -> "InvalidInstanceStatus";
                          })
                      .message(
                          "InstanceOperationInProgress: another operation holds the lock, retry after 1s")),
          new Fault(
              "lostAnswer",
              true,
              c -> new FaultRule().type(FaultRule.Type.TIMEOUT_AFTER_APPLY).delayMs(TIMEOUT_MS)));

  /**
   * A terminal refusal of a mutating call: the cloud's own code for "this operation is not
   * supported here". Not a permission code: a refused permission is a credentials problem, which
   * waits for the Secret to be fixed.
   */
  static String terminalCode(TestWorld c) {
    return switch (c.provider()) {
      case TENCENTCLOUD -> "UnsupportedOperation";
      case UCLOUD_COMPSHARE -> "230";
      case VOLCENGINE -> "InvalidArgument";
    };
  }

  static Stream<TestWorld> clouds() {
    return TestWorld.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clouds")
  void everyRetryableFaultInEveryPhaseEndsDoneWithNothingOrphanedAndNothingDoneTwice(
      TestWorld cloud) {
    WorldSpec.CloudWorld w = cloud.spec();
    List<Call> calls = CALLS.get(cloud.name());
    calls.forEach(
        c -> w.rateLimits.put(c.action(), 0)); // the cloud's rate limits are not under test here
    record Case(String name, String instance, Call call, FaultRule rule, boolean terminal) {}
    List<Case> cases = new ArrayList<>();
    for (Call call : calls) {
      for (Fault f : FAULTS) {
        if (f.mutatingOnly() && !call.mutating()) {
          continue;
        }
        String id = addInstance(cloud, w, String.format("m%03d", cases.size()), call);
        FaultRule rule = f.rule().apply(cloud);
        rule.action = call.action();
        rule.target = call.disk() ? cloud.diskId(id, 2) : id;
        rule.times = 1;
        w.faults.add(rule);
        cases.add(new Case((call.action() + "-" + f.name()).toLowerCase(), id, call, rule, false));
      }
      if (call.mutating()) {
        String id = addInstance(cloud, w, String.format("m%03d", cases.size()), call);
        FaultRule rule =
            new FaultRule()
                .type(FaultRule.Type.ERROR)
                .code(terminalCode(cloud))
                .message("not allowed for this key");
        rule.action = call.action();
        rule.target = call.disk() ? cloud.diskId(id, 2) : id;
        // the cloud refuses it every time, whatever else the call names: the first rule that
        // matches a call decides
        // it, so the refusal goes before the other cases' faults (calls of several deletions are
        // merged)
        rule.times = -1;
        w.faults.add(0, rule);
        cases.add(new Case((call.action() + "-terminal").toLowerCase(), id, call, rule, true));
      }
    }
    WorldSpec world = new WorldSpec();
    world.clouds.put(cloud.name(), w);
    Map<String, CloudSimulator> sims;
    try {
      sims = Simulators.start(world, "127.0.0.1", 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CloudSimulator sim = sims.get(cloud.name());
    try (OperatorHarness h =
        OperatorHarness.start(Map.<String, URI>of(cloud.name(), sim.endpoint()))) {
      h.secret("keys", cloud.secretWithToken());
      for (Case c : cases) {
        h.create(
            c.name(),
            cloud.provider(),
            cloud.region(),
            "keys",
            List.of(c.instance()),
            cloud.specDefaults());
      }
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  cases.stream()
                      .allMatch(c -> h.phase(c.name()) != null && h.phase(c.name()).isTerminal()));

      Map<String, String> problems = new LinkedHashMap<>();
      for (Case c : cases) {
        if (c.terminal()) {
          checkTerminal(c.name(), h, sim, cloud, c.instance(), c.rule(), calls, problems);
          continue;
        }
        if (h.phase(c.name()) != Phase.Done) {
          problems.put(
              c.name(), h.phase(c.name()) + ": " + h.get(c.name()).getStatus().getMessage());
        } else if (c.rule().hits() == 0) {
          problems.put(c.name(), "the fault was never hit");
        } else if (!sim.orphanedDisks(List.of(c.instance())).isEmpty()) {
          problems.put(c.name(), "orphaned " + sim.orphanedDisks(List.of(c.instance())));
        } else if (sim instanceof TencentSimulator tc && tc.destroyCalls(c.instance()) > 0) {
          problems.put(c.name(), "destroyed out of the recycle bin without Purge");
        }
        for (Call m : calls) {
          if (!m.mutating()) {
            continue;
          }
          String id = m.disk() ? cloud.diskId(c.instance(), 2) : c.instance();
          long effective = ledgerOf(sim).effective(m.action(), id);
          if (effective > 1) {
            problems.put(c.name(), m.action() + " took effect " + effective + " times on " + id);
          }
        }
      }
      assertThat(problems).as("cases that did not end as they should").isEmpty();
      CASES.addAndGet(cases.size());
      System.out.println(
          "FaultMatrixIT "
              + cloud.name()
              + ": "
              + cases.size()
              + " cases, "
              + ledgerOf(sim).size()
              + " calls answered");
    } finally {
      sims.values().forEach(CloudSimulator::close);
    }
  }

  /**
   * One instance for a case; a Tencent prepaid one with a postpaid data disk when the call needs
   * it.
   */
  private static String addInstance(
      TestWorld cloud, WorldSpec.CloudWorld w, String tag, Call call) {
    String id = cloud.fleet(tag, 1).get(0);
    if (call.prepaidHost()) {
      w.instances.stream().filter(i -> i.id.equals(id)).forEach(i -> i.chargeType = "PREPAID");
      w.disks.stream()
          .filter(d -> d.id.equals(cloud.diskId(id, 1)))
          .forEach(d -> d.chargeType = "PREPAID");
    }
    return id;
  }

  /**
   * A terminal refusal ends Failed with the cloud's code in status, and no mutating call names the
   * deletion's instance or disks after the refused one.
   */
  private static void checkTerminal(
      String name,
      OperatorHarness h,
      CloudSimulator sim,
      TestWorld cloud,
      String instance,
      FaultRule rule,
      List<Call> calls,
      Map<String, String> problems) {
    if (h.phase(name) != Phase.Failed) {
      problems.put(name, "ended " + h.phase(name) + " after a terminal refusal");
      return;
    }
    String status =
        io.fabric8.kubernetes.client.utils.Serialization.asJson(h.get(name).getStatus());
    if (!status.contains(rule.code)) {
      problems.put(name, "status does not name the cloud's code " + rule.code);
    }
    List<String> ids = List.of(instance, cloud.diskId(instance, 1), cloud.diskId(instance, 2));
    List<dev.teardown.sim.CallLedger.Call> all = ledgerOf(sim).all();
    int refused = -1;
    // the refusal of this deletion's own call (a merged call refused as a whole is tried again per
    // deletion)
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).action().equals(rule.action)
          && all.get(i).ids().contains(rule.target)
          && ids.containsAll(all.get(i).ids())
          && all.get(i).outcome().equals(rule.code)) {
        refused = i;
        break;
      }
    }
    if (refused < 0 || rule.hits() == 0) {
      problems.put(name, "the terminal fault was never hit");
      return;
    }
    for (int i = refused + 1; i < all.size(); i++) {
      dev.teardown.sim.CallLedger.Call c = all.get(i);
      boolean mutating =
          calls.stream().anyMatch(m -> m.mutating() && m.action().equals(c.action()));
      // a merged call that named this id and was refused the same way had no effect (the cloud
      // refuses a whole
      // call naming a refused instance, and its members are tried again one deletion at a time)
      boolean refusedAgain = c.action().equals(rule.action) && c.outcome().equals(rule.code);
      if (mutating && !refusedAgain && c.ids().stream().anyMatch(ids::contains)) {
        problems.put(
            name, "mutating call " + c.action() + " " + c.ids() + " after the terminal refusal");
      }
    }
  }

  @AfterAll
  static void printCount() {
    System.out.println(
        "FaultMatrixIT: "
            + CASES.get()
            + " fault cases over "
            + TestWorld.all().size()
            + " clouds ended as they should (retryable: Done; terminal: Failed with the cloud's code)");
  }
}
