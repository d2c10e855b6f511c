package dev.teardown.sim.volcengine;

import dev.teardown.sim.volcengine.VolcengineWorld.Instance;
import dev.teardown.sim.volcengine.VolcengineWorld.Volume;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The response side of Volcengine's wire format (OpenAPI 2020-04-01): the envelope {@code
 * {"ResponseMetadata":{RequestId,Action,Version,Service,Region[,Error{Code,CodeN,Message}]},
 * "Result":{...}}} and the {@code Result} of each action, with the fields the SDK models read
 * (DescribeInstances pages by {@code NextToken}, DescribeVolumes by {@code PageNumber}).
 */
final class VolcengineResponses {
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

  /** What an action answered and whether it changed the world. */
  record Outcome(Map<String, Object> result, boolean effective) {}

  private VolcengineResponses() {}

  /**
   * One page of DescribeInstances: {@code maxResults} from the position {@code nextToken} names;
   * the next token is empty on the last page.
   */
  static Outcome instances(
      VolcengineWorld world,
      List<Instance> matching,
      int maxResults,
      String nextToken,
      boolean visible) {
    int start = 0;
    if (nextToken != null && !nextToken.isBlank()) {
      try {
        start = Integer.parseInt(nextToken);
      } catch (NumberFormatException e) {
        throw VolcengineApiError.of("InvalidArgument", "The specified NextToken is invalid.");
      }
    }
    int end = Math.min(matching.size(), start + maxResults);
    List<Object> out = new ArrayList<>();
    for (Instance i : matching.subList(Math.min(start, matching.size()), end)) {
      out.add(instanceJson(world, i, visible));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("Instances", out);
    result.put("NextToken", end < matching.size() ? Integer.toString(end) : "");
    return new Outcome(result, false);
  }

  /**
   * DeleteInstances: one OperationDetails entry per requested instance, with an Error if refused.
   */
  static Outcome deletions(VolcengineEcs.Deleted deleted) {
    List<Object> details = new ArrayList<>();
    for (VolcengineEcs.Deletion x : deleted.details()) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("InstanceId", x.instanceId());
      if (x.code() != null) {
        d.put("Error", Map.of("Code", x.code(), "Message", x.message()));
      }
      details.add(d);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("OperationDetails", details);
    return new Outcome(result, deleted.effective());
  }

  /** One page of DescribeVolumes. */
  static Outcome volumes(List<Volume> matching, int pageNumber, int pageSize) {
    int from = Math.min(matching.size(), (pageNumber - 1) * pageSize);
    int to = Math.min(matching.size(), from + pageSize);
    List<Object> out = new ArrayList<>();
    for (Volume v : matching.subList(from, to)) {
      out.add(volumeJson(v));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("Volumes", out);
    result.put("TotalCount", matching.size());
    result.put("PageNumber", pageNumber);
    result.put("PageSize", pageSize);
    return new Outcome(result, false);
  }

  /** The empty Result of an accepted DetachVolume or DeleteVolume. */
  static Outcome done() {
    return new Outcome(new LinkedHashMap<>(), true);
  }

  /** The whole answer: metadata (with the error, if any) and the result (if any). */
  static Map<String, Object> envelope(
      String requestId,
      String action,
      String version,
      String service,
      String region,
      VolcengineApiError error,
      Map<String, Object> result) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("RequestId", requestId);
    meta.put("Action", action);
    meta.put("Version", version);
    meta.put("Service", service);
    meta.put("Region", region);
    if (error != null) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("Code", error.code);
      if (error.codeN != null) {
        e.put("CodeN", error.codeN);
      }
      e.put("Message", error.getMessage());
      meta.put("Error", e);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ResponseMetadata", meta);
    if (result != null) {
      body.put("Result", result);
    }
    return body;
  }

  private static Map<String, Object> instanceJson(
      VolcengineWorld world, Instance i, boolean visible) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("InstanceId", i.id);
    m.put("InstanceName", i.name);
    m.put("ZoneId", i.zone);
    m.put("Status", i.status);
    m.put("InstanceTypeId", "ecs.g3i.large");
    m.put("InstanceChargeType", i.chargeType);
    m.put("SpotStrategy", i.spot ? "SpotAsPriceGo" : "NoSpot");
    m.put("DeletionProtection", i.deletionProtection);
    m.put("CreatedAt", TIME.format(i.createdAt));
    m.put("ExpiredAt", i.expiredAt == null ? "" : TIME.format(i.expiredAt));
    List<Object> vols = new ArrayList<>();
    for (Volume v : world.volumes(visible).values()) {
      if (i.id.equals(v.instanceId)) {
        Map<String, Object> vm = new LinkedHashMap<>();
        vm.put("VolumeId", v.id);
        vm.put("Kind", v.kind);
        vm.put("Size", v.sizeGb);
        vm.put("VolumeType", "ESSD_PL0");
        vols.add(vm);
      }
    }
    m.put("Volumes", vols);
    List<Object> tags = new ArrayList<>();
    i.tags.forEach(
        (k, v) -> {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("Key", k);
          t.put("Value", v);
          tags.add(t);
        });
    m.put("Tags", tags);
    return m;
  }

  private static Map<String, Object> volumeJson(Volume v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("VolumeId", v.id);
    m.put("VolumeName", v.id);
    m.put("Kind", v.kind);
    m.put("Status", v.status);
    m.put("InstanceId", v.instanceId == null ? "" : v.instanceId);
    m.put("ZoneId", v.zone);
    m.put("Size", String.valueOf(v.sizeGb));
    m.put("VolumeType", "ESSD_PL0");
    m.put("DeleteWithInstance", v.deleteWithInstance);
    m.put("PayType", v.payType);
    m.put("BillingType", "pre".equals(v.payType) ? 1 : 2);
    m.put("CreatedAt", TIME.format(v.createdAt));
    return m;
  }
}
