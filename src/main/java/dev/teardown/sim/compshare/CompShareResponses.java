package dev.teardown.sim.compshare;

import dev.teardown.sim.FaultRule;
import dev.teardown.sim.SimResponse;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.compshare.CompShareWorld.Instance;
import dev.teardown.sim.compshare.CompShareWorld.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The response side of UCloud CompShare's wire format: HTTP 200 envelopes {@code
 * {"RetCode":0,"Action":"<Action>Response",...}} (a refusal carries its RetCode and a {@code
 * Message}) with the request id in header {@link CompShareSimulator#REQUEST_ID_HEADER}, and the
 * {@code UHostSet} of DescribeCompShareInstance with the fields the SDK model reads. Spot instances
 * are reported with {@code ChargeType "Spot"}.
 */
final class CompShareResponses {

  /** What the world made of a call, and the fields an accepted call answers with. */
  record Answer(Outcome outcome, Map<String, Object> fields) {
    static Answer of(Outcome outcome, Object... fields) {
      return new Answer(outcome, outcome.ok() ? CompShareResponses.fields(fields) : Map.of());
    }

    static Answer refused(int code, String message) {
      return new Answer(Outcome.refused(code, message), Map.of());
    }
  }

  private CompShareResponses() {}

  /** The body of an answer: RetCode 0 and the fields, or the refusal. */
  static Map<String, Object> body(String action, Answer answer) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (answer.outcome().ok()) {
      body.put("RetCode", 0);
      body.put("Action", action + "Response");
      body.putAll(answer.fields());
    } else {
      body.put("RetCode", answer.outcome().refusal().retCode());
      body.put("Action", action + "Response");
      body.put("Message", answer.outcome().refusal().message());
    }
    return body;
  }

  /** The body of a refusal before the call reached the world (no Action when none was named). */
  static Map<String, Object> refusal(String action, int code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("RetCode", code);
    if (action != null) {
      body.put("Action", action + "Response");
    }
    body.put("Message", message);
    return body;
  }

  /** The HTTP answer: the body, the request id header, and the world's latency. */
  static SimResponse answer(Map<String, Object> body, String requestId, long latencyMs) {
    SimResponse r =
        SimResponse.json(
            200,
            SimulatorBase.toJson(body),
            Map.of(CompShareSimulator.REQUEST_ID_HEADER, requestId));
    return latencyMs > 0 ? r.delayed(latencyMs) : r;
  }

  /** What an injected HTTP_ERROR fault answers. */
  static SimResponse httpError(FaultRule f, String requestId) {
    return SimResponse.json(
        f.httpStatus,
        "{\"error\":\"injected HTTP " + f.httpStatus + "\"}",
        Map.of(CompShareSimulator.REQUEST_ID_HEADER, requestId));
  }

  /** TotalCount and one page ({@code offset}, {@code limit}) of UHostSet. */
  static Map<String, Object> uhostSet(
      CompShareWorld world, List<Instance> matching, int offset, int limit, String askedZone) {
    List<Map<String, Object>> set = new ArrayList<>();
    for (Instance i : matching.subList(offset, Math.min(matching.size(), offset + limit))) {
      set.add(uhost(world, i, askedZone));
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("TotalCount", matching.size());
    fields.put("UHostSet", set);
    return fields;
  }

  private static Map<String, Object> uhost(CompShareWorld world, Instance i, String askedZone) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("UHostId", i.id);
    m.put("Name", i.name);
    m.put("Zone", i.zone != null ? i.zone : askedZone != null ? askedZone : world.region + "-01");
    m.put("State", i.state);
    m.put("ChargeType", i.chargeType);
    m.put("InstanceType", "UHost");
    m.put("MachineType", "G");
    m.put("GpuType", "4090");
    m.put("GPU", 1);
    m.put("CPU", 16);
    m.put("Memory", 65536);
    m.put("IsExpire", "No");
    m.put("AutoRenew", "No");
    List<Map<String, Object>> disks = new ArrayList<>();
    disks.add(disk(i.bootDiskId, true, 100, "vda"));
    char drive = 'b';
    for (CompShareWorld.Disk d : world.dataDisksOf(i.id)) {
      disks.add(disk(d.id, false, d.sizeGb, "vd" + drive++));
    }
    m.put("DiskSet", disks);
    return m;
  }

  private static Map<String, Object> disk(String id, boolean boot, int size, String drive) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("DiskId", id);
    m.put("IsBoot", boot ? "True" : "False");
    m.put("Type", boot ? "Boot" : "Data");
    m.put("DiskType", "CLOUD_SSD");
    m.put("Size", size);
    m.put("Drive", drive);
    m.put("Encrypted", "false");
    return m;
  }

  private static Map<String, Object> fields(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int k = 0; k < kv.length; k += 2) {
      m.put((String) kv[k], kv[k + 1]);
    }
    return m;
  }
}
