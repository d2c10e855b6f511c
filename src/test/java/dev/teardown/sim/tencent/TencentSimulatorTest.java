package dev.teardown.sim.tencent;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tencentcloudapi.cbs.v20170312.CbsClient;
import com.tencentcloudapi.cbs.v20170312.models.DescribeDisksRequest;
import com.tencentcloudapi.cbs.v20170312.models.DescribeDisksResponse;
import com.tencentcloudapi.cbs.v20170312.models.DetachDisksRequest;
import com.tencentcloudapi.cbs.v20170312.models.Filter;
import com.tencentcloudapi.cbs.v20170312.models.TerminateDisksRequest;
import com.tencentcloudapi.common.CommonClient;
import com.tencentcloudapi.common.Credential;
import com.tencentcloudapi.common.exception.TencentCloudSDKException;
import com.tencentcloudapi.common.profile.ClientProfile;
import com.tencentcloudapi.common.profile.HttpProfile;
import com.tencentcloudapi.cvm.v20170312.CvmClient;
import com.tencentcloudapi.cvm.v20170312.models.DescribeInstancesRequest;
import com.tencentcloudapi.cvm.v20170312.models.DescribeInstancesStatusRequest;
import com.tencentcloudapi.cvm.v20170312.models.TerminateInstancesRequest;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.WorldSpec;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator's wire protocol and rules, driven by the SDK's own clients and by raw HTTP. */
class TencentSimulatorTest {
  private static final String REGION = "ap-beijing";
  private static final String ID = "AKIDsimtest";
  private static final String KEY = "sim-test-secret";

  private final MutableClock clock = new MutableClock(Instant.now());
  private SimCloud cloud;
  private TencentSimulator sim;

  @AfterEach
  void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void timestampMoreThanFiveMinutesOffIsSignatureExpire() {
    sim = start(world(), new MutableClock(Instant.now().plus(Duration.ofMinutes(6))));
    assertThat(code(() -> cvm(KEY).DescribeInstances(new DescribeInstancesRequest())))
        .isEqualTo("AuthFailure.SignatureExpire");
    ledgerOf(sim)
        .allCalls()
        .extracting(CallLedger.Call::action, CallLedger.Call::outcome)
        .containsExactly(tuple("DescribeInstances", "AuthFailure.SignatureExpire"));
  }

  @Test
  void theSignatureCoversTheBodyAndTheHeaders() throws Exception {
    sim = start(world(), clock);
    String body = "{\"InstanceIds\":[\"ins-sim00001\"]}";
    assertThat(
            raw("DescribeInstances", body, body, KEY).path("Response").path("TotalCount").asInt())
        .isEqualTo(1);

    JsonNode tampered =
        raw("TerminateInstances", body, "{\"InstanceIds\":[\"ins-sim00002\"]}", KEY);
    assertThat(tampered.path("Response").path("Error").path("Code").asText())
        .isEqualTo("AuthFailure.SignatureFailure");
    assertThat(tampered.path("Response").path("RequestId").asText()).isNotBlank();
    assertThat(ledgerOf(sim).calls("TerminateInstances"))
        .singleElement()
        .satisfies(c -> assertThat(c.effective()).isFalse());

    HttpResponse<String> noAuth =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(sim.endpoint().resolve("/"))
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header("X-TC-Action", "DescribeInstances")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(noAuth.statusCode()).as("errors are HTTP 200 envelopes").isEqualTo(200);
    assertThat(new ObjectMapper().readTree(noAuth.body()).at("/Response/Error/Code").asText())
        .isEqualTo("AuthFailure.InvalidAuthorization");
  }

  @Test
  void unknownKeyAndUnknownActionGetTheCloudsOwnCodes() throws Exception {
    sim = start(world(), clock);
    Credential stranger = new Credential("AKIDstranger", KEY);
    assertThat(
            code(
                () ->
                    new CvmClient(stranger, REGION, profile())
                        .DescribeInstances(new DescribeInstancesRequest())))
        .isEqualTo("AuthFailure.SecretIdNotFound");
    CommonClient common =
        new CommonClient(
            "cvm", TencentSimulator.API_VERSION, new Credential(ID, KEY), REGION, profile());
    assertThat(code(() -> common.commonRequest(new DescribeInstancesRequest(), "RebootInstances")))
        .isEqualTo("InvalidAction");
  }

  // ---------------------------------------------------------------- CVM rules

  @Test
  void terminateRefusesMixedChargeTypesOversizedBatchesAndRunningOperations() throws Exception {
    sim = start(world(), clock);
    CvmClient cvm = cvm(KEY);
    assertThat(code(() -> cvm.TerminateInstances(terminate("ins-sim00001", "ins-sim00002"))))
        .isEqualTo("UnsupportedOperation.InstanceMixedPricingModel");
    assertThat(
            code(
                () ->
                    cvm.TerminateInstances(
                        terminate(
                            IntStream.range(0, 101)
                                .mapToObj(i -> "ins-x" + i)
                                .toArray(String[]::new)))))
        .isEqualTo("InvalidParameterValue.LimitExceeded");
    assertThat(code(() -> cvm.TerminateInstances(terminate("ins-missing1"))))
        .isEqualTo("InvalidInstanceId.NotFound");
    assertThat(code(() -> cvm.TerminateInstances(terminate("vm-12345678"))))
        .isEqualTo("InvalidInstanceId.Malformed");

    cvm.TerminateInstances(terminate("ins-sim00002"));
    assertThat(code(() -> cvm.TerminateInstances(terminate("ins-sim00002"))))
        .as("the recycle-bin move is still OPERATING")
        .isEqualTo("OperationDenied.InstanceOperationInProgress");
    DescribeInstancesStatusRequest status = new DescribeInstancesStatusRequest();
    status.setInstanceIds(new String[] {"ins-sim00002"});
    assertThat(cvm.DescribeInstancesStatus(status).getInstanceStatusSet()[0].getInstanceState())
        .isEqualTo("SHUTDOWN");
    assertThat(ledgerOf(sim).calls(c -> c.action().equals("TerminateInstances") && c.effective()))
        .hasSize(1);
  }

  @Test
  void anotherRegionSeesNothing() throws Exception {
    sim = start(world(), clock);
    CvmClient elsewhere = new CvmClient(new Credential(ID, KEY), "ap-shanghai", profile());
    assertThat(elsewhere.DescribeInstances(new DescribeInstancesRequest()).getTotalCount())
        .isZero();
    assertThat(cvm(KEY).DescribeInstances(new DescribeInstancesRequest()).getTotalCount())
        .isEqualTo(2);
  }

  // ---------------------------------------------------------------- CBS rules

  @Test
  void describeDisksFiltersByInstanceAndUsageAndPages() throws Exception {
    sim = start(world(), clock);
    CbsClient cbs = cbs();
    DescribeDisksRequest data = new DescribeDisksRequest();
    data.setFilters(
        new Filter[] {filter("instance-id", "ins-sim00001"), filter("disk-usage", "DATA_DISK")});
    data.setLimit(1L);
    DescribeDisksResponse page1 = cbs.DescribeDisks(data);
    assertThat(page1.getTotalCount()).isEqualTo(2);
    assertThat(page1.getDiskSet()).extracting(d -> d.getDiskId()).containsExactly("disk-sim00001");
    data.setOffset(1L);
    assertThat(cbs.DescribeDisks(data).getDiskSet())
        .extracting(d -> d.getDiskId())
        .containsExactly("disk-sim00002");

    DescribeDisksRequest sys = new DescribeDisksRequest();
    sys.setFilters(
        new Filter[] {filter("instance-id", "ins-sim00001"), filter("disk-usage", "SYSTEM_DISK")});
    assertThat(cbs.DescribeDisks(sys).getDiskSet())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getDiskUsage()).isEqualTo("SYSTEM_DISK");
              assertThat(d.getPortable()).isFalse();
            });

    DescribeDisksRequest both = new DescribeDisksRequest();
    both.setDiskIds(new String[] {"disk-sim00001"});
    both.setFilters(new Filter[] {filter("disk-usage", "DATA_DISK")});
    assertThat(code(() -> cbs.DescribeDisks(both))).isEqualTo("InvalidParameter");
  }

  @Test
  void detachAndTerminateDisksFollowCbsRules() throws Exception {
    sim = start(world(), clock);
    CbsClient cbs = cbs();
    assertThat(code(() -> cbs.TerminateDisks(terminateDisks("disk-sim00001"))))
        .isEqualTo("ResourceUnavailable.Attached");
    assertThat(code(() -> cbs.DetachDisks(detach("disk-sim00002"))))
        .isEqualTo("InvalidDisk.NotPortable");
    assertThat(code(() -> cbs.DetachDisks(detach("disk-sys-sim00001"))))
        .isEqualTo("InvalidDisk.NotPortable");
    assertThat(
            code(
                () ->
                    cbs.DetachDisks(
                        detach(
                            IntStream.range(0, 11)
                                .mapToObj(i -> "disk-x" + i)
                                .toArray(String[]::new)))))
        .isEqualTo("InvalidParameterValue.LimitExceeded");
    assertThat(
            code(
                () ->
                    cbs.TerminateDisks(
                        terminateDisks(
                            IntStream.range(0, 51)
                                .mapToObj(i -> "disk-x" + i)
                                .toArray(String[]::new)))))
        .isEqualTo("InvalidParameterValue.LimitExceeded");
    assertThat(code(() -> cbs.TerminateDisks(terminateDisks("disk-missing"))))
        .isEqualTo("InvalidDiskId.NotFound");

    cbs.DetachDisks(detach("disk-sim00001"));
    assertThat(code(() -> cbs.TerminateDisks(terminateDisks("disk-sim00001"))))
        .isEqualTo("InvalidDisk.Busy");
    clock.advance(Duration.ofMillis(100));
    cbs.TerminateDisks(terminateDisks("disk-sim00001"));
    assertThat(code(() -> cbs.TerminateDisks(terminateDisks("disk-sim00001"))))
        .isEqualTo("InvalidDiskId.NotFound");
    assertThat(ledgerOf(sim).effectiveCalls().stream().map(CallLedger.Call::action))
        .containsExactly("DetachDisks", "TerminateDisks");
  }

  @Test
  void aTestCanAttachANewDiskToALiveInstanceButNotToAGoneOrTerminatedOne() throws Exception {
    sim = start(world(), clock);
    WorldSpec.Disk added = cloud.world().newDisk("disk-sim00009", "ins-sim00001", false);
    sim.attachNewDisk(added);
    DescribeDisksRequest data = new DescribeDisksRequest();
    data.setFilters(
        new Filter[] {filter("instance-id", "ins-sim00001"), filter("disk-usage", "DATA_DISK")});
    assertThat(cbs().DescribeDisks(data).getDiskSet())
        .extracting(d -> d.getDiskId(), d -> d.getDiskState())
        .contains(tuple("disk-sim00009", "ATTACHED"));
    DescribeInstancesRequest one = new DescribeInstancesRequest();
    one.setInstanceIds(new String[] {"ins-sim00001"});
    assertThat(cvm(KEY).DescribeInstances(one).getInstanceSet()[0].getDataDisks())
        .extracting(d -> d.getDiskId())
        .contains("disk-sim00009");
    assertThat(ledgerOf(sim).effectiveCalls()).as("a world change, not a call").isEmpty();

    assertThatThrownBy(() -> sim.attachNewDisk(added)).hasMessageContaining("duplicate disk id");
    WorldSpec.Disk nowhere = cloud.world().newDisk("disk-sim00010", "ins-nowhere", false);
    assertThatThrownBy(() -> sim.attachNewDisk(nowhere)).hasMessageContaining("ins-nowhere");
    cvm(KEY).TerminateInstances(terminate("ins-sim00002"));
    WorldSpec.Disk late = cloud.world().newDisk("disk-sim00011", "ins-sim00002", false);
    assertThatThrownBy(() -> sim.attachNewDisk(late))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SHUTDOWN");
  }

  @Test
  void worldSpecMistakesAreRefusedAtStart() {
    TestWorld badTiming = world().timing("reboot", 5);
    assertThatThrownBy(() -> badTiming.start(clock)).hasMessageContaining("reboot");
    TestWorld orphanDisk = world();
    orphanDisk.disk("disk-sim00003").on("ins-nowhere");
    assertThatThrownBy(() -> orphanDisk.start(clock)).hasMessageContaining("ins-nowhere");
  }

  // ---------------------------------------------------------------- helpers

  /** ins-sim00001 postpaid with an elastic and a non-elastic data disk; ins-sim00002 prepaid. */
  private static TestWorld world() {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .keys(ID, KEY)
            .timing("terminate", 100)
            .timing("shutdown", 100)
            .timing("detach", 100)
            .seed(1);
    w.instance("ins-sim00001");
    w.instance("ins-sim00002").prepaid();
    w.disk("disk-sim00001").on("ins-sim00001");
    w.disk("disk-sim00002").on("ins-sim00001").notPortable();
    return w;
  }

  private TencentSimulator start(TestWorld w, Clock c) {
    cloud = w.start(c);
    return cloud.sim();
  }

  @FunctionalInterface
  private interface SdkCall {
    Object run() throws TencentCloudSDKException;
  }

  private static String code(SdkCall call) {
    return catchThrowableOfType(TencentCloudSDKException.class, call::run).getErrorCode();
  }

  private ClientProfile profile() {
    HttpProfile hp = new HttpProfile();
    hp.setEndpoint(sim.endpoint().getHost() + ":" + sim.endpoint().getPort());
    hp.setProtocol(HttpProfile.REQ_HTTP);
    hp.setReadTimeout(5);
    hp.setWriteTimeout(5);
    hp.setConnTimeout(5);
    return new ClientProfile(ClientProfile.SIGN_TC3_256, hp);
  }

  private CvmClient cvm(String key) {
    return new CvmClient(new Credential(ID, key), REGION, profile());
  }

  private CbsClient cbs() {
    return new CbsClient(new Credential(ID, KEY), REGION, profile());
  }

  private static TerminateInstancesRequest terminate(String... ids) {
    TerminateInstancesRequest r = new TerminateInstancesRequest();
    r.setInstanceIds(ids);
    return r;
  }

  private static TerminateDisksRequest terminateDisks(String... ids) {
    TerminateDisksRequest r = new TerminateDisksRequest();
    r.setDiskIds(ids);
    return r;
  }

  private static DetachDisksRequest detach(String... ids) {
    DetachDisksRequest r = new DetachDisksRequest();
    r.setDiskIds(ids);
    return r;
  }

  private static Filter filter(String name, String value) {
    Filter f = new Filter();
    f.setName(name);
    f.setValues(new String[] {value});
    return f;
  }

  /** Signs {@code signedBody} with our own TC3 implementation but sends {@code sentBody}. */
  private JsonNode raw(String action, String signedBody, String sentBody, String key)
      throws Exception {
    long ts = clock.millis() / 1000;
    String host = sim.endpoint().getHost() + ":" + sim.endpoint().getPort();
    String contentType = "application/json; charset=utf-8";
    Map<String, String> signed = new LinkedHashMap<>();
    signed.put("content-type", contentType);
    signed.put("host", host);
    String service = Tc3Signature.serviceOf(host);
    String signature =
        Tc3Signature.expected(
            key,
            "POST",
            "",
            signed,
            Tc3Signature.sha256Hex(signedBody.getBytes(StandardCharsets.UTF_8)),
            ts,
            service);
    String auth =
        "TC3-HMAC-SHA256 Credential="
            + ID
            + "/"
            + Tc3Signature.dayOf(ts)
            + "/"
            + service
            + "/tc3_request, SignedHeaders=content-type;host, Signature="
            + signature;
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(sim.endpoint() + "/"))
            .header("Content-Type", contentType)
            .header("Authorization", auth)
            .header("X-TC-Action", action)
            .header("X-TC-Timestamp", Long.toString(ts))
            .header("X-TC-Version", TencentSimulator.API_VERSION)
            .header("X-TC-Region", REGION)
            .POST(HttpRequest.BodyPublishers.ofString(sentBody))
            .build();
    return new ObjectMapper()
        .readTree(
            HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()).body());
  }
}
