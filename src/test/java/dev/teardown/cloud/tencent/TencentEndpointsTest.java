package dev.teardown.cloud.tencent;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CVM and CBS can each have their own endpoint (private endpoints, proxies): two simulators stand
 * for the two gateways and each must see only its own product's calls. The single override still
 * serves both.
 */
class TencentEndpointsTest {
  private static final String REGION = "ap-beijing";
  private TencentSimulator cvmGateway;
  private TencentSimulator cbsGateway;
  private SimCloud cvm;
  private SimCloud cbs;

  @AfterEach
  void stop() {
    cvm.close();
    cbs.close();
  }

  private void startGateways() {
    cvm = world().seed(1).start();
    cbs = world().seed(2).start();
    cvmGateway = cvm.sim();
    cbsGateway = cbs.sim();
  }

  @Test
  void cvmAndCbsCallsGoToTheirOwnEndpoints() throws Exception {
    startGateways();
    ConnectionSpec spec =
        new ConnectionSpec(
            REGION,
            null,
            new Credentials(Map.of("secretId", "AKIDep", "secretKey", "ep-key")),
            null,
            Duration.ofSeconds(2),
            Map.of("cvm", cvmGateway.endpoint(), "cbs", cbsGateway.endpoint()));
    try (CloudProvider p = new TencentProviderFactory().connect(spec)) {
      assertThat(p.describeInstances(List.of("ins-ep000001"))).containsKey("ins-ep000001");
      assertThat(p.describeDisks(List.of("disk-ep000001"))).containsKey("disk-ep000001");
    }
    ledgerOf(cvmGateway).allCalls().extracting(c -> c.action()).containsOnly("DescribeInstances");
    ledgerOf(cbsGateway).allCalls().extracting(c -> c.action()).containsOnly("DescribeDisks");
  }

  @Test
  void theSingleOverrideServesBothAndAServiceOverrideWinsOverIt() throws Exception {
    startGateways();
    Credentials keys = new Credentials(Map.of("secretId", "AKIDep", "secretKey", "ep-key"));
    try (CloudProvider p =
        new TencentProviderFactory()
            .connect(
                new ConnectionSpec(
                    REGION, null, keys, cvmGateway.endpoint(), Duration.ofSeconds(2)))) {
      p.describeInstances(List.of("ins-ep000001"));
      p.describeDisks(List.of("disk-ep000001"));
    }
    ledgerOf(cvmGateway)
        .allCalls()
        .extracting(c -> c.action())
        .containsExactly("DescribeInstances", "DescribeDisks");
    try (CloudProvider p =
        new TencentProviderFactory()
            .connect(
                new ConnectionSpec(
                    REGION,
                    null,
                    keys,
                    cvmGateway.endpoint(),
                    Duration.ofSeconds(2),
                    Map.of("cbs", cbsGateway.endpoint())))) {
      p.describeDisks(List.of("disk-ep000001"));
    }
    ledgerOf(cbsGateway).allCalls().extracting(c -> c.action()).containsExactly("DescribeDisks");
    assertThat(ledgerOf(cvmGateway).size()).isEqualTo(2);
  }

  private static TestWorld world() {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .instanceZone(REGION + "-3")
            .keys("AKIDep", "ep-key")
            .noTimings();
    w.instance("ins-ep000001").withDisk("disk-ep000001");
    return w;
  }
}
