package dev.teardown.cloud.tencent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.tencent.TencentSimulator;
import java.time.Clock;
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

  @AfterEach
  void stop() {
    cvmGateway.close();
    cbsGateway.close();
  }

  @Test
  void cvmAndCbsCallsGoToTheirOwnEndpoints() throws Exception {
    cvmGateway = new TencentSimulator(world(), Clock.systemUTC(), 1, "127.0.0.1", 0);
    cbsGateway = new TencentSimulator(world(), Clock.systemUTC(), 2, "127.0.0.1", 0);
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
    assertThat(cvmGateway.ledger().all())
        .extracting(c -> c.action())
        .containsOnly("DescribeInstances");
    assertThat(cbsGateway.ledger().all()).extracting(c -> c.action()).containsOnly("DescribeDisks");
  }

  @Test
  void theSingleOverrideServesBothAndAServiceOverrideWinsOverIt() throws Exception {
    cvmGateway = new TencentSimulator(world(), Clock.systemUTC(), 1, "127.0.0.1", 0);
    cbsGateway = new TencentSimulator(world(), Clock.systemUTC(), 2, "127.0.0.1", 0);
    Credentials keys = new Credentials(Map.of("secretId", "AKIDep", "secretKey", "ep-key"));
    try (CloudProvider p =
        new TencentProviderFactory()
            .connect(
                new ConnectionSpec(
                    REGION, null, keys, cvmGateway.endpoint(), Duration.ofSeconds(2)))) {
      p.describeInstances(List.of("ins-ep000001"));
      p.describeDisks(List.of("disk-ep000001"));
    }
    assertThat(cvmGateway.ledger().all())
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
    assertThat(cbsGateway.ledger().all())
        .extracting(c -> c.action())
        .containsExactly("DescribeDisks");
    assertThat(cvmGateway.ledger().size()).isEqualTo(2);
  }

  private static WorldSpec.CloudWorld world() {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = REGION;
    w.credentials.add(new WorldSpec.KeyPair("AKIDep", "ep-key"));
    WorldSpec.Instance i = new WorldSpec.Instance();
    i.id = "ins-ep000001";
    i.chargeType = "POSTPAID_BY_HOUR";
    i.state = "RUNNING";
    i.zone = REGION + "-3";
    w.instances.add(i);
    WorldSpec.Disk d = new WorldSpec.Disk();
    d.id = "disk-ep000001";
    d.instanceId = "ins-ep000001";
    d.chargeType = "POSTPAID_BY_HOUR";
    w.disks.add(d);
    return w;
  }
}
