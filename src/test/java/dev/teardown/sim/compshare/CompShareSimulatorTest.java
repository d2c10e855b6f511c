package dev.teardown.sim.compshare;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.ucloud.common.annotation.UCloudParam;
import cn.ucloud.common.client.DefaultClient;
import cn.ucloud.common.config.Config;
import cn.ucloud.common.credential.Credential;
import cn.ucloud.common.exception.RetCodeException;
import cn.ucloud.common.request.Request;
import cn.ucloud.common.response.Response;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.WorldSpec;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/**
 * The CompShare simulator's wire protocol: signature, envelopes, gateway errors, state endpoint,
 * world files.
 */
class CompShareSimulatorTest {
  private final ObjectMapper json = new ObjectMapper();
  private SimCloud cloud;
  private TestWorld world;
  private CompShareSimulator sim;

  private CompShareSimulator start(TestWorld w) {
    world = w;
    cloud = w.start();
    return cloud.sim();
  }

  @AfterEach
  void close() {
    if (cloud != null) {
      cloud.close();
    }
  }

  /**
   * A request of any action with an optional Limit and a few typed values, encoded and signed by
   * the SDK.
   */
  static final class AnyRequest extends Request {
    @UCloudParam("Limit")
    private Integer limit;

    @UCloudParam("Offset")
    private Integer offset;

    @UCloudParam("Zone")
    private String zone;

    @UCloudParam("UHostIds")
    private List<String> ids;

    @UCloudParam("UHostId")
    private String id;

    @UCloudParam("Force")
    private Boolean force;

    @UCloudParam("Ratio")
    private Double ratio;

    AnyRequest(String action) {
      setAction(action);
    }
  }

  static final class AnyResponse extends Response {
    @com.google.gson.annotations.SerializedName("TotalCount")
    Integer totalCount;

    @com.google.gson.annotations.SerializedName("UHostSet")
    List<Map<String, Object>> hosts;
  }

  private DefaultClient client(String publicKey, String privateKey) {
    Config cfg = new Config();
    cfg.setBaseUrl(sim.endpoint().toString());
    cfg.setRegion(world.region());
    cfg.setLogger(NOPLogger.NOP_LOGGER);
    return new DefaultClient(cfg, new Credential(publicKey, privateKey));
  }

  private Response invoke(DefaultClient c, Request r) throws Exception {
    r.withMaxRetries(0);
    return c.invoke(r, AnyResponse.class);
  }

  @Test
  void signatureMatchesTheDocumentedVectorAndTheSdk() throws Exception {
    String pub = "ucloudsomeone@example.com1296235120854146120";
    String priv = "46f09bb9fab4f12dfc160dae12273d5332b5debe";
    Map<String, String> params =
        Map.of(
            "Action", "DescribeUHostInstance", "Region", "cn-bj2", "Limit", "10", "PublicKey", pub);

    assertThat(CompShareSignature.sign(params, priv))
        .isEqualTo("cba5cf5ec4d4233d206b1b54951e3787350a642f");

    AnyRequest r = new AnyRequest("DescribeUHostInstance");
    r.setRegion("cn-bj2");
    r.limit = 10;
    assertThat(new Credential(pub, priv).verifyAc(r))
        .isEqualTo(CompShareSignature.sign(params, priv));
  }

  @Test
  void acceptsTheSdksEncodingOfListsBooleansAndDoubles() throws Exception {
    sim = start(TestWorld.compShareStandard().seed(1));
    AnyRequest r = new AnyRequest("DescribeCompShareInstance");
    r.zone = world.zone();
    r.ids = List.of("uhost-run1", "uhost-stop1");
    r.force = true;
    r.ratio = 42.0; // Gson sends 42.0, the SDK signs "42"
    r.limit = 100;

    AnyResponse resp = (AnyResponse) invoke(client(world.keyId(), world.secretKey()), r);

    assertThat(resp.getRetCode()).isZero();
    assertThat(resp.getAction()).isEqualTo("DescribeCompShareInstanceResponse");
    assertThat(resp.getRequestId()).as("from X-UCLOUD-REQUEST-UUID").isNotBlank();
    assertThat(resp.totalCount).isEqualTo(2);
    ledgerOf(sim)
        .allCalls()
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ids()).containsExactly("uhost-run1", "uhost-stop1");
              assertThat(c.params())
                  .containsEntry("Ratio", "42")
                  .containsEntry("Force", "true")
                  .doesNotContainKeys("Signature", "PublicKey");
              assertThat(c.requestId()).isEqualTo(resp.getRequestId());
            });
  }

  @Test
  void gatewayErrorsAreUCloudsOwn() throws Exception {
    sim = start(TestWorld.compShareStandard().seed(1));
    DefaultClient good = client(world.keyId(), world.secretKey());

    assertThatThrownBy(() -> invoke(good, new AnyRequest("DescribeUHostInstance")))
        .isInstanceOfSatisfying(
            RetCodeException.class,
            e -> {
              assertThat(e.getRetCode()).isEqualTo(161);
              assertThat(e.getMessage()).contains("Action [DescribeUHostInstance] not found");
            });
    assertThatThrownBy(
            () -> invoke(client("someone-else", "x"), new AnyRequest("DescribeCompShareInstance")))
        .isInstanceOfSatisfying(
            RetCodeException.class, e -> assertThat(e.getRetCode()).isEqualTo(172));
    assertThatThrownBy(
            () ->
                invoke(client(world.keyId(), "wrong"), new AnyRequest("DescribeCompShareInstance")))
        .isInstanceOfSatisfying(
            RetCodeException.class,
            e -> {
              assertThat(e.getRetCode()).isEqualTo(171);
              assertThat(e.getMessage()).contains("Signature VerifyAC Error");
            });
    AnyRequest otherRegion = new AnyRequest("DescribeCompShareInstance");
    otherRegion.setRegion("cn-bj2");
    assertThatThrownBy(() -> invoke(good, otherRegion))
        .isInstanceOfSatisfying(
            RetCodeException.class, e -> assertThat(e.getRetCode()).isEqualTo(230));
    AnyRequest farOffset = new AnyRequest("DescribeCompShareInstance");
    farOffset.offset =
        4; // three instances: an offset beyond TotalCount is an error, not an empty page
    assertThatThrownBy(() -> invoke(good, farOffset))
        .isInstanceOfSatisfying(
            RetCodeException.class, e -> assertThat(e.getMessage()).contains("Offset"));

    ledgerOf(sim)
        .allCalls()
        .extracting(CallLedger.Call::outcome)
        .containsExactly("161", "172", "171", "230", "230");
    ledgerOf(sim).allCalls().noneMatch(CallLedger.Call::effective);
  }

  @Test
  void aBodyWithoutActionIsMissingAction() throws Exception {
    sim = start(TestWorld.compShareStandard().seed(1));
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(sim.endpoint())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"Region\":\"cn-wlcb\"}"))
                    .header("Content-Type", "application/json")
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json.readTree(r.body()).get("RetCode").asInt()).isEqualTo(160);
    assertThat(r.headers().firstValue(CompShareSimulator.REQUEST_ID_HEADER)).isPresent();
  }

  @Test
  void aTestCanAttachANewDiskToALiveInstanceButNotToATerminatingOne() throws Exception {
    TestWorld w =
        TestWorld.compShareStandard()
            .seed(1)
            .timing("terminate", 60_000); // still terminating when the attach is tried
    sim = start(w);
    DefaultClient c = client(world.keyId(), world.secretKey());
    sim.attachNewDisk(world.newDisk("bsm-new1", "uhost-run1", false));

    AnyRequest describe = new AnyRequest("DescribeCompShareInstance");
    describe.ids = List.of("uhost-run1");
    AnyResponse resp = (AnyResponse) invoke(c, describe);
    assertThat(resp.hosts)
        .singleElement()
        .satisfies(
            h ->
                assertThat(
                        ((List<?>) h.get("DiskSet"))
                            .stream().map(d -> (Object) ((Map<?, ?>) d).get("DiskId")).toList())
                    .containsExactly("bsi-run1", "bsm-r1a", "bsm-r1b", "bsm-new1"));
    assertThat(sim.orphanedDisks(List.of("uhost-run1")))
        .as("its instance is its first one")
        .contains("bsm-new1");
    ledgerOf(sim)
        .allCalls()
        .as("a world change, not a call")
        .singleElement()
        .satisfies(call -> assertThat(call.action()).isEqualTo("DescribeCompShareInstance"));

    assertThatThrownBy(() -> sim.attachNewDisk(world.newDisk("bsm-new1", "uhost-run1", false)))
        .hasMessageContaining("taken");
    assertThatThrownBy(() -> sim.attachNewDisk(world.newDisk("bsm-new2", "uhost-nowhere", false)))
        .hasMessageContaining("uhost-nowhere");
    AnyRequest terminate = new AnyRequest("TerminateCompShareInstance");
    terminate.zone = world.zone();
    terminate.id = "uhost-stop1";
    invoke(c, terminate);
    ledgerOf(sim).effectiveOnce("TerminateCompShareInstance", "uhost-stop1");
    assertThatThrownBy(() -> sim.attachNewDisk(world.newDisk("bsm-new3", "uhost-stop1", false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("being terminated");
  }

  @Test
  void stateEndpointShowsWorldAndLedgerAsJson() throws Exception {
    sim = start(TestWorld.compShareStandard().seed(1));
    invoke(client(world.keyId(), world.secretKey()), new AnyRequest("DescribeCompShareInstance"));

    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(sim.endpoint() + "/_sim/state")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode state = json.readTree(r.body());
    assertThat(state.get("provider").asText()).isEqualTo("ucloud-compshare");
    assertThat(state.at("/world/instances")).hasSize(3);
    assertThat(state.at("/world/instances/0/id").asText()).isEqualTo("uhost-run1");
    assertThat(state.at("/world/instances/0/state").asText()).isEqualTo("Running");
    assertThat(state.at("/world/instances/2/chargeType").asText()).isEqualTo("Spot");
    assertThat(state.at("/world/disks")).hasSize(4);
    assertThat(state.at("/world/disks/3/state").asText()).isEqualTo("Available");
    assertThat(state.at("/ledger")).hasSize(1);
    assertThat(state.at("/ledger/0/action").asText()).isEqualTo("DescribeCompShareInstance");
    assertThat(state.at("/ledger/0/outcome").asText()).isEqualTo("OK");
  }

  @Test
  void worldLoadsFromAWorldFile() throws Exception {
    String yaml =
        """
        seed: 3
        clouds:
          ucloud-compshare:
            region: cn-bj2
            credentials: [{id: pk, secret: sk}]
            timingsMs: {stop: 50, lock: 1500}
            instances:
              - {id: uhost-a, zone: cn-bj2-02, state: Stopped, chargeType: Year}
              - {id: uhost-b, zone: cn-bj2-04, state: Running, spot: true}
            disks:
              - {id: bsm-a1, instanceId: uhost-a}
        """;
    WorldSpec spec = new ObjectMapper(new YAMLFactory()).readValue(yaml, WorldSpec.class);
    sim = start(TestWorld.from(spec, Provider.UCLOUD_COMPSHARE));
    Config cfg = new Config();
    cfg.setBaseUrl(sim.endpoint().toString());
    cfg.setRegion("cn-bj2");
    cfg.setLogger(NOPLogger.NOP_LOGGER);
    AnyRequest r = new AnyRequest("DescribeCompShareInstance");
    r.zone = "cn-bj2-02";

    AnyResponse resp = (AnyResponse) invoke(new DefaultClient(cfg, new Credential("pk", "sk")), r);

    assertThat(resp.totalCount).as("only uhost-a lives in cn-bj2-02").isEqualTo(1);
    assertThat(sim.orphanedDisks(List.of("uhost-a"))).containsExactly("bsm-a1");
  }
}
