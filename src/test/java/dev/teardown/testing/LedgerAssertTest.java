package dev.teardown.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.InstancePhase;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import dev.teardown.sim.CallLedger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The shared test world and ledger assertions: each check fails when what it says is not so. */
class LedgerAssertTest {

  private static CallLedger.Call call(String action, String id, boolean effective, String outcome) {
    return new CallLedger.Call(
        "tencentcloud", action, List.of(id), outcome, effective, "r", Instant.now(), Map.of());
  }

  @Test
  void everyAssertionFailsWhenTheLedgerSaysOtherwise() {
    CallLedger l = new CallLedger();
    l.record(call("TerminateInstances", "ins-1", true, "OK"));
    l.record(call("TerminateInstances", "ins-1", false, "OK"));
    l.record(call("DescribeInstances", "ins-2", false, "InternalError"));
    LedgerAssert a = LedgerAssert.assertThat(l);

    a.effectiveOnce("TerminateInstances", "ins-1").neverEffective("TerminateDisks", "ins-1");
    assertThatThrownBy(() -> a.effectiveOnce("TerminateInstances", "ins-2"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> a.calledOnce("TerminateInstances")).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> a.never("DescribeInstances")).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> a.never("TerminateInstances", "ins-1"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(a::noFailedCalls).isInstanceOf(AssertionError.class);
    assertThatThrownBy(a::noEffectiveCalls).isInstanceOf(AssertionError.class);
    assertThatThrownBy(a::isEmpty).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> a.onlyCall("TerminateInstances")).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> a.noCallsAfter(2)).isInstanceOf(AssertionError.class);
    a.noCallsAfter(3).calledTimes("TerminateInstances", 2).calledOnce("DescribeInstances", "ins-2");
    assertThat(a.onlyCall("DescribeInstances").outcome()).isEqualTo("InternalError");
    assertThatThrownBy(a::noMutatingCalls)
        .as("a ledger without its cloud cannot say what mutates")
        .isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @EnumSource(Provider.class)
  void theSameWorldOnEveryCloudRunsThroughItsRealAdapter(Provider provider) throws Exception {
    TestWorld w = TestWorld.of(provider);
    String id = w.names().instanceId("lat", 0);
    List<String> ids = List.of(id);
    String kept = w.names().diskId(id, 2);
    w.instance(id).stopped();
    w.disk(kept);
    try (SimCloud cloud = w.start()) {
      CloudProvider p = cloud.connect();
      assertThat(p.describeInstances(ids).get(id).phase()).isEqualTo(InstancePhase.STOPPED);
      LedgerAssert ledger = cloud.assertLedger();
      ledger.noMutatingCalls();

      p.terminateInstances(new TerminateRequest(ids, false, false, false, "tok"));
      ledger.effectiveOnce(w.names().terminate(), id);
      assertThatThrownBy(ledger::noMutatingCalls).isInstanceOf(AssertionError.class);
      assertThat(ledger.mutatingFor(id)).hasSize(1);
      p.releaseDisks(new ReleaseDisksRequest(List.of(kept), false, "tok-d"));
      ledger.effectiveOnce(w.names().releaseDisk(), kept);
    }
  }
}
