package dev.teardown.sim.tencent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.SimResponse;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.tencent.TencentWorld.Disk;
import dev.teardown.sim.tencent.TencentWorld.Instance;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The response side of Tencent's wire format (API 3.0): every answer is HTTP 200 with {@code
 * {"Response":{...,"RequestId"}}}, a refusal {@code {"Response":{"Error":{"Code","Message"},
 * "RequestId"}}}; the Describe answers ({@code TotalCount} and one page of {@code InstanceSet},
 * {@code InstanceStatusSet} or {@code DiskSet}) with the fields the SDK models read.
 */
final class TencentResponses {
  private TencentResponses() {}

  /** An empty answer, for the mutating actions. */
  static ObjectNode empty() {
    return JsonNodeFactory.instance.objectNode();
  }

  static ObjectNode instances(TencentWorld world, List<Instance> all, TencentRequests.Page page) {
    ObjectNode out = empty();
    out.put("TotalCount", all.size());
    ArrayNode set = out.putArray("InstanceSet");
    page.slice(all).forEach(i -> set.add(instanceJson(world, i)));
    return out;
  }

  static ObjectNode statuses(List<Instance> all, TencentRequests.Page page) {
    ObjectNode out = empty();
    out.put("TotalCount", all.size());
    ArrayNode set = out.putArray("InstanceStatusSet");
    page.slice(all)
        .forEach(i -> set.addObject().put("InstanceId", i.id).put("InstanceState", i.state));
    return out;
  }

  static ObjectNode disks(TencentWorld world, List<Disk> all, TencentRequests.Page page) {
    ObjectNode out = empty();
    out.put("TotalCount", all.size());
    ArrayNode set = out.putArray("DiskSet");
    page.slice(all).forEach(d -> set.add(diskJson(world, d)));
    return out;
  }

  /** The fields of an answer wrapped as {@code {"Response":{...}}}, with the request id. */
  static SimResponse ok(ObjectNode fields, String requestId) {
    fields.put("RequestId", requestId);
    return envelope(fields);
  }

  static SimResponse error(String code, String message, String requestId) {
    ObjectNode response = empty();
    response.putObject("Error").put("Code", code).put("Message", message);
    response.put("RequestId", requestId);
    return envelope(response);
  }

  /** What an injected HTTP_ERROR fault answers: a bare error page from the load balancer. */
  static SimResponse httpErrorPage(FaultRule f) {
    byte[] page =
        ("<html><body><h1>" + f.httpStatus + "</h1></body></html>")
            .getBytes(StandardCharsets.UTF_8);
    return new SimResponse(f.httpStatus, Map.of("Content-Type", "text/html"), page, 0, false);
  }

  private static SimResponse envelope(ObjectNode response) {
    ObjectNode root = empty();
    root.set("Response", response);
    return SimResponse.json(200, SimulatorBase.toJson(root));
  }

  private static ObjectNode instanceJson(TencentWorld world, Instance i) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("InstanceId", i.id);
    n.put("InstanceName", i.name);
    n.put("InstanceType", "S5.MEDIUM4");
    n.put("CPU", 2);
    n.put("Memory", 4);
    n.put("InstanceState", i.state);
    n.put("InstanceChargeType", i.chargeType);
    n.putObject("Placement").put("Zone", i.zone).put("ProjectId", 0);
    Disk sys = world.disks.get(i.systemDiskId);
    if (sys != null) {
      n.putObject("SystemDisk")
          .put("DiskType", "CLOUD_PREMIUM")
          .put("DiskId", sys.id)
          .put("DiskSize", 50);
    }
    ArrayNode data = n.putArray("DataDisks");
    for (Disk d : world.disks.values()) {
      if (TencentWorld.DATA_DISK.equals(d.usage) && i.id.equals(d.instanceId)) {
        data.addObject()
            .put("DiskType", "CLOUD_PREMIUM")
            .put("DiskId", d.id)
            .put("DiskSize", 100)
            .put("DeleteWithInstance", d.deleteWithInstance)
            .put("Encrypt", false);
      }
    }
    n.put("RestrictState", "NORMAL");
    n.put("DisableApiTermination", i.protectedFromTermination);
    n.put("LatestOperation", i.latestOperation);
    n.put("LatestOperationState", i.latestOperationState);
    if (i.latestOperationRequestId != null) {
      n.put("LatestOperationRequestId", i.latestOperationRequestId);
    }
    n.put("IsolatedSource", i.isolatedSource);
    ArrayNode tags = n.putArray("Tags");
    i.tags.forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
    n.put("CreatedTime", world.createdTime);
    if (TencentWorld.PREPAID.equals(i.chargeType)) {
      n.put("RenewFlag", "NOTIFY_AND_MANUAL_RENEW");
    }
    return n;
  }

  private static ObjectNode diskJson(TencentWorld world, Disk d) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("DiskId", d.id);
    n.put("DiskName", d.id);
    n.put("DiskUsage", d.usage);
    n.put("DiskType", "CLOUD_PREMIUM");
    n.put("DiskSize", TencentWorld.SYSTEM_DISK.equals(d.usage) ? 50 : 100);
    n.put("DiskChargeType", d.chargeType);
    n.put("DiskState", d.state);
    n.put("Attached", d.instanceId != null);
    n.put("InstanceId", d.instanceId == null ? "" : d.instanceId);
    n.putArray("InstanceIdList");
    n.put("InstanceType", "CVM");
    n.put("DeleteWithInstance", d.deleteWithInstance);
    n.put("Portable", d.portable);
    n.put("Shareable", false);
    n.put("Encrypt", false);
    n.putObject("Placement").put("Zone", d.zone).put("ProjectId", 0);
    n.put("IsReturnable", d.prepaid() && !"TORECYCLE".equals(d.state));
    n.put("ReturnFailCode", 0);
    n.put("CreateTime", world.createdTime);
    return n;
  }
}
