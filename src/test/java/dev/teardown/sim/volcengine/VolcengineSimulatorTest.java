package dev.teardown.sim.volcengine;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.WorldSpec;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator on the wire, with requests signed in the test (the SDK's own requests are covered
 * by the adapter tests): signature rules, envelopes, limits, regions and faults.
 */
class VolcengineSimulatorTest {

  static final String AK = "AKLTsim";
  static final String SK = "sim-secret";
  static final DateTimeFormatter X_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
  final ObjectMapper json = new ObjectMapper();
  SimCloud cloud;
  VolcengineSimulator sim;

  @BeforeEach
  void start() {
    TestWorld w = world().timing("terminate", 5000);
    w.instance("i-1").withDisk("vol-1");
    run(w);
  }

  @AfterEach
  void stop() {
    cloud.close();
  }

  /** The world every test here signs for: key AKLTsim, region cn-beijing, nothing slow. */
  static TestWorld world() {
    return TestWorld.of(Provider.VOLCENGINE).region("cn-beijing").keys(AK, SK).noTimings().seed(1);
  }

  void run(TestWorld w) {
    cloud = w.start();
    sim = cloud.sim();
  }

  /**
   * A request signed like the SDK signs it, optionally with more signed headers and a different
   * region/time.
   */
  record Req(
      Map<String, String> params,
      String service,
      String region,
      List<String> signedHeaders,
      Instant at,
      String secret) {

    static Req of(String service, String... kv) {
      Map<String, String> p = new LinkedHashMap<>();
      for (int k = 0; k < kv.length; k += 2) {
        p.put(kv[k], kv[k + 1]);
      }
      return new Req(p, service, "cn-beijing", List.of("x-date"), Instant.now(), SK);
    }

    Req signed(List<String> headers) {
      return new Req(params, service, region, headers, at, secret);
    }

    Req region(String r) {
      return new Req(params, service, r, signedHeaders, at, secret);
    }

    Req at(Instant t) {
      return new Req(params, service, region, signedHeaders, t, secret);
    }
  }

  HttpResponse<String> send(Req r, Map<String, String> sentParams, boolean withAuthorization)
      throws IOException, InterruptedException {
    return send(r, sentParams, withAuthorization, Duration.ofSeconds(2));
  }

  HttpResponse<String> send(
      Req r, Map<String, String> sentParams, boolean withAuthorization, Duration timeout)
      throws IOException, InterruptedException {
    String host = sim.endpoint().getHost() + ":" + sim.endpoint().getPort();
    String xDate = X_DATE.format(r.at());
    Map<String, String> headers = Map.of("x-date", xDate, "host", host);
    String canonical =
        VolcengineSignature.canonicalRequest(
            "GET", "/", r.params(), r.signedHeaders(), headers::get, new byte[0]);
    String date = xDate.substring(0, 8);
    String scope = date + "/" + r.region() + "/" + r.service() + "/request";
    String signature =
        VolcengineSignature.sign(
            r.secret(),
            date,
            r.region(),
            r.service(),
            VolcengineSignature.stringToSign(xDate, scope, canonical));
    String query =
        sentParams.entrySet().stream()
            .map(
                e ->
                    VolcengineSignature.encode(e.getKey())
                        + "="
                        + VolcengineSignature.encode(e.getValue()))
            .collect(Collectors.joining("&"));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(sim.endpoint() + "/?" + query))
            .header("X-Date", xDate)
            .timeout(timeout)
            .GET();
    if (withAuthorization) {
      b.header(
          "Authorization",
          "HMAC-SHA256 Credential="
              + AK
              + "/"
              + scope
              + ", SignedHeaders="
              + String.join(";", r.signedHeaders())
              + ", Signature="
              + signature);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> send(Req r) throws IOException, InterruptedException {
    return send(r, r.params(), true);
  }

  JsonNode body(HttpResponse<String> resp) throws IOException {
    return json.readTree(resp.body());
  }

  @Test
  void honoursWhateverSignedHeadersLists() throws Exception {
    Req r =
        Req.of(
                "ecs",
                "Action",
                "DescribeInstances",
                "Version",
                "2020-04-01",
                "InstanceIds.1",
                "i-1")
            .signed(List.of("host", "x-date"));

    HttpResponse<String> resp = send(r);

    assertThat(resp.statusCode()).isEqualTo(200);
    JsonNode b = body(resp);
    assertThat(b.at("/ResponseMetadata/Action").asText()).isEqualTo("DescribeInstances");
    assertThat(b.at("/ResponseMetadata/Service").asText()).isEqualTo("ecs");
    assertThat(b.at("/ResponseMetadata/Region").asText()).isEqualTo("cn-beijing");
    assertThat(b.at("/ResponseMetadata/RequestId").asText()).isNotBlank();
    assertThat(b.at("/Result/Instances/0/InstanceId").asText()).isEqualTo("i-1");
    assertThat(b.at("/Result/Instances/0/Volumes")).hasSize(2);
  }

  @Test
  void aTamperedParameterIsSignatureDoesNotMatch() throws Exception {
    Req r =
        Req.of(
            "ecs",
            "Action",
            "DeleteInstances",
            "Version",
            "2020-04-01",
            "InstanceIds.1",
            "i-other");
    Map<String, String> sent = new LinkedHashMap<>(r.params());
    sent.put("InstanceIds.1", "i-1");

    HttpResponse<String> resp = send(r, sent, true);

    assertThat(resp.statusCode()).isEqualTo(401);
    assertThat(body(resp).at("/ResponseMetadata/Error/Code").asText())
        .isEqualTo("SignatureDoesNotMatch");
    assertThat(body(resp).at("/ResponseMetadata/Error/CodeN").asInt()).isEqualTo(100010);
    assertThat(sim.instanceStatus("i-1")).contains("RUNNING");
    ledgerOf(sim)
        .allCalls()
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo("SignatureDoesNotMatch");
              assertThat(c.ids()).containsExactly("i-1");
              assertThat(c.effective()).isFalse();
            });
  }

  @Test
  void theEmptyNameParameterIsPartOfTheSignature() throws Exception {
    Req r =
        Req.of(
            "ecs",
            "Action",
            "DescribeInstances",
            "Version",
            "2020-04-01",
            "InstanceIds.1",
            "i-1",
            "",
            "{InstanceIds.1=i-1}");
    assertThat(send(r).statusCode()).isEqualTo(200);

    Map<String, String> sent = new LinkedHashMap<>(r.params());
    sent.put("", "{InstanceIds.1=i-2}");
    assertThat(send(r, sent, true).statusCode()).isEqualTo(401);
  }

  @Test
  void missingAuthorizationIsMissingSignature() throws Exception {
    Req r = Req.of("ecs", "Action", "DescribeInstances", "Version", "2020-04-01");

    HttpResponse<String> resp = send(r, r.params(), false);

    assertThat(resp.statusCode()).isEqualTo(401);
    assertThat(body(resp).at("/ResponseMetadata/Error/Code").asText())
        .isEqualTo("MissingSignature");
  }

  @Test
  void aStaleTimestampIsRefused() throws Exception {
    Req r =
        Req.of("ecs", "Action", "DescribeInstances", "Version", "2020-04-01")
            .at(Instant.now().minus(Duration.ofHours(1)));

    HttpResponse<String> resp = send(r);

    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(body(resp).at("/ResponseMetadata/Error/Code").asText())
        .isEqualTo("InvalidTimestamp");
  }

  @Test
  void unknownActionIsInvalidActionOrVersionAndLedgered() throws Exception {
    HttpResponse<String> resp =
        send(Req.of("ecs", "Action", "RebootInstances", "Version", "2020-04-01"));
    HttpResponse<String> wrongService =
        send(Req.of("ecs", "Action", "DescribeVolumes", "Version", "2020-04-01"));
    HttpResponse<String> wrongVersion =
        send(Req.of("ecs", "Action", "DescribeInstances", "Version", "2019-01-01"));

    assertThat(resp.statusCode()).isEqualTo(404);
    assertThat(body(resp).at("/ResponseMetadata/Error/Code").asText())
        .isEqualTo("InvalidActionOrVersion");
    assertThat(wrongService.statusCode()).as("DescribeVolumes is storage_ebs").isEqualTo(404);
    assertThat(wrongVersion.statusCode()).isEqualTo(404);
    ledgerOf(sim)
        .allCalls()
        .extracting(CallLedger.Call::action)
        .containsExactly("RebootInstances", "DescribeVolumes", "DescribeInstances");
    ledgerOf(sim)
        .allCalls()
        .allSatisfy(c -> assertThat(c.outcome()).isEqualTo("InvalidActionOrVersion"));
  }

  @Test
  void anotherRegionSeesNoneOfTheFleet() throws Exception {
    HttpResponse<String> described =
        send(
            Req.of(
                    "ecs",
                    "Action",
                    "DescribeInstances",
                    "Version",
                    "2020-04-01",
                    "InstanceIds.1",
                    "i-1")
                .region("cn-shanghai"));
    HttpResponse<String> deleted =
        send(
            Req.of(
                    "ecs",
                    "Action",
                    "DeleteInstances",
                    "Version",
                    "2020-04-01",
                    "InstanceIds.1",
                    "i-1")
                .region("cn-shanghai"));

    assertThat(body(described).at("/Result/Instances")).isEmpty();
    assertThat(body(deleted).at("/Result/OperationDetails/0/Error/Code").asText())
        .isEqualTo("InvalidInstance.NotFound");
    assertThat(sim.instanceStatus("i-1")).contains("RUNNING");
  }

  @Test
  void moreThanOneHundredIdsIsRefused() throws Exception {
    String[] kv = new String[4 + 2 * 101];
    kv[0] = "Action";
    kv[1] = "DeleteInstances";
    kv[2] = "Version";
    kv[3] = "2020-04-01";
    for (int n = 1; n <= 101; n++) {
      kv[2 + 2 * n] = "InstanceIds." + n;
      kv[3 + 2 * n] = "i-" + n;
    }

    HttpResponse<String> resp = send(Req.of("ecs", kv));

    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(body(resp).at("/ResponseMetadata/Error/Code").asText()).isEqualTo("InvalidArgument");
    assertThat(sim.instanceStatus("i-1")).contains("RUNNING");
  }

  @Test
  void describeVolumesPagesAndFilters() throws Exception {
    HttpResponse<String> page1 =
        send(
            Req.of(
                "storage_ebs",
                "Action",
                "DescribeVolumes",
                "Version",
                "2020-04-01",
                "InstanceId",
                "i-1",
                "PageSize",
                "1"));
    HttpResponse<String> page2 =
        send(
            Req.of(
                "storage_ebs",
                "Action",
                "DescribeVolumes",
                "Version",
                "2020-04-01",
                "InstanceId",
                "i-1",
                "PageSize",
                "1",
                "PageNumber",
                "2"));
    HttpResponse<String> data =
        send(
            Req.of(
                "storage_ebs",
                "Action",
                "DescribeVolumes",
                "Version",
                "2020-04-01",
                "InstanceId",
                "i-1",
                "Kind",
                "data"));

    assertThat(body(page1).at("/Result/TotalCount").asInt()).isEqualTo(2);
    assertThat(body(page1).at("/Result/Volumes")).hasSize(1);
    assertThat(body(page2).at("/Result/Volumes/0/VolumeId").asText())
        .isNotEqualTo(body(page1).at("/Result/Volumes/0/VolumeId").asText());
    assertThat(body(data).at("/Result/Volumes"))
        .singleElement()
        .satisfies(v -> assertThat(v.path("VolumeId").asText()).isEqualTo("vol-1"));
  }

  @Test
  void aTestCanAttachANewVolumeToALiveInstanceButNotToADeletingOne() throws Exception {
    WorldSpec.Disk added = cloud.world().newDisk("vol-2", "i-1", true);
    sim.attachNewDisk(added);

    HttpResponse<String> data =
        send(
            Req.of(
                "storage_ebs",
                "Action",
                "DescribeVolumes",
                "Version",
                "2020-04-01",
                "InstanceId",
                "i-1",
                "Kind",
                "data"));
    assertThat(body(data).at("/Result/Volumes"))
        .extracting(
            v -> v.path("VolumeId").asText(),
            v -> v.path("Status").asText(),
            v -> v.path("DeleteWithInstance").asBoolean())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("vol-1", "attached", false),
            org.assertj.core.groups.Tuple.tuple("vol-2", "attached", true));
    ledgerOf(sim)
        .allCalls()
        .as("a world change, not a call")
        .singleElement()
        .satisfies(c -> assertThat(c.action()).isEqualTo("DescribeVolumes"));

    assertThatThrownBy(() -> sim.attachNewDisk(added)).hasMessageContaining("taken");
    WorldSpec.Disk nowhere = cloud.world().newDisk("vol-3", "i-nowhere", false);
    assertThatThrownBy(() -> sim.attachNewDisk(nowhere)).hasMessageContaining("i-nowhere");
    send(
        Req.of(
            "ecs", "Action", "DeleteInstances", "Version", "2020-04-01", "InstanceIds.1", "i-1"));
    assertThat(sim.instanceStatus("i-1")).contains("DELETING");
    WorldSpec.Disk late = cloud.world().newDisk("vol-4", "i-1", false);
    assertThatThrownBy(() -> sim.attachNewDisk(late))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("DELETING");
  }

  @Test
  void systemVolumeCannotBeDetached() throws Exception {
    HttpResponse<String> resp =
        send(
            Req.of(
                "storage_ebs",
                "Action",
                "DetachVolume",
                "Version",
                "2020-04-01",
                "VolumeId",
                VolcengineSimulator.systemVolumeId("i-1"),
                "InstanceId",
                "i-1"));

    assertThat(resp.statusCode()).isEqualTo(403);
    assertThat(body(resp).at("/ResponseMetadata/Error/Code").asText())
        .isEqualTo("OperationDenied.SystemVolume");
  }

  @Test
  void aTimeoutFaultAppliesNothing() throws Exception {
    FaultRule f = new FaultRule().type(FaultRule.Type.TIMEOUT).delayMs(1000);
    f.action = "DeleteInstances";
    sim.faults().add(f);
    Req r =
        Req.of("ecs", "Action", "DeleteInstances", "Version", "2020-04-01", "InstanceIds.1", "i-1");

    assertThatThrownBy(() -> send(r, r.params(), true, Duration.ofMillis(200)))
        .isInstanceOf(java.net.http.HttpTimeoutException.class);

    assertThat(sim.instanceStatus("i-1")).contains("RUNNING");
    ledgerOf(sim)
        .allCalls()
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo("Timeout");
              assertThat(c.effective()).isFalse();
            });
  }

  @Test
  void aQueuedDeletionShowsTheOldStatusUntilTheLagIsOverAndIsNotRepeated() throws Exception {
    cloud.close();
    TestWorld w = world().timing("terminateLag", 300).timing("terminate", 5000);
    w.instance("i-1");
    run(w);
    Req first =
        Req.of(
            "ecs",
            "Action",
            "DeleteInstances",
            "Version",
            "2020-04-01",
            "InstanceIds.1",
            "i-1",
            "ClientToken",
            "tok-1");
    Req other =
        Req.of(
            "ecs",
            "Action",
            "DeleteInstances",
            "Version",
            "2020-04-01",
            "InstanceIds.1",
            "i-1",
            "ClientToken",
            "tok-2");

    assertThat(body(send(first)).at("/Result/OperationDetails/0/Error").isMissingNode()).isTrue();
    assertThat(sim.instanceStatus("i-1")).as("still queued").contains("RUNNING");
    assertThat(body(send(first)).at("/Result/OperationDetails/0/Error").isMissingNode()).isTrue();
    assertThat(body(send(other)).at("/Result/OperationDetails/0/Error").isMissingNode()).isTrue();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> sim.instanceStatus("i-1").orElse("").equals("DELETING"));

    ledgerOf(sim)
        .allCalls()
        .extracting(CallLedger.Call::effective)
        .containsExactly(true, false, false);
  }
}
