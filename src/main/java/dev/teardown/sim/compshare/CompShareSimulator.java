package dev.teardown.sim.compshare;

import dev.teardown.sim.FaultRule;
import dev.teardown.sim.Params;
import dev.teardown.sim.SimRequest;
import dev.teardown.sim.SimResponse;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.compshare.CompShareResponses.Answer;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * UCloud CompShare over its real wire protocol: {@code POST <base URL>} with a flat JSON body
 * (lists flattened as {@code Key.N}, 0-based), the UCloud SHA1 signature verified against the
 * world's key pairs ({@link CompShareSignature}), HTTP 200 envelopes {@code
 * {"RetCode":0,"Action":"<Action>Response",...}} with the request id in header {@code
 * X-UCLOUD-REQUEST-UUID}. Actions: DescribeCompShareInstance, StopCompShareInstance,
 * TerminateCompShareInstance, DetachCompshareDisk, DeleteCompshareDisk.
 *
 * <p>Spot instances are reported with {@code ChargeType "Spot"} (CreateCompShareInstance documents
 * Spot as the preemptible charge type; the Describe model has no separate flag). Timings (world
 * {@code timingsMs}): {@code stop}, {@code start}, {@code terminate}, {@code detach}, {@code
 * release} (disk deletion), {@code lock} (operation lock TTL, default 600000), {@code
 * recycleListed} (how long a recycled Month/Year host stays listed as Stopped after its terminate,
 * default 0) and {@code latency} (added to every API answer). Rate limits (world {@code
 * rateLimits}, per action, {@code "*"} for all): CompShare documents none, so there is no limit
 * unless configured. Instances without a zone live in every zone of the region; disks follow their
 * instance. World fields CompShare has no counterpart for are ignored: deletion protection, expiry,
 * and a disk's charge type, deleteWithInstance and portable flags (whether data disks go with the
 * instance is decided per terminate call by ReleaseUDisk).
 *
 * <p>This class runs the request pipeline (gateway checks, throttle, region, inject faults, apply,
 * record, answer). The world model is {@link CompShareWorld} with the actions of {@link
 * CompShareActions}; the wire format is {@link CompShareRequests} (body, gateway checks,
 * parameters) and {@link CompShareResponses} (envelopes and UHostSet).
 */
public final class CompShareSimulator extends SimulatorBase {
  public static final String PROVIDER = "ucloud-compshare";
  public static final String REQUEST_ID_HEADER = "X-UCLOUD-REQUEST-UUID";

  static final String DESCRIBE = "DescribeCompShareInstance";
  static final String STOP = "StopCompShareInstance";
  static final String TERMINATE = "TerminateCompShareInstance";
  static final String DETACH = "DetachCompshareDisk";
  static final String DELETE_DISK = "DeleteCompshareDisk";
  private static final Set<String> ACTIONS = Set.of(DESCRIBE, STOP, TERMINATE, DETACH, DELETE_DISK);
  private static final int MAX_IDS = 100;

  private final CompShareWorld world;
  private final CompShareActions actions;

  public CompShareSimulator(
      WorldSpec.CloudWorld spec, Clock clock, long seed, String host, int port) {
    super(PROVIDER, spec, clock, seed, 0, Map.of());
    this.world = new CompShareWorld(spec, clock.millis());
    this.actions = new CompShareActions(world);
    listen(host, port);
  }

  // ---- HTTP
  // -------------------------------------------------------------------------------------------------

  @Override
  protected SimResponse handle(SimRequest req) {
    String path = req.uri().getPath();
    if ("GET".equals(req.method()) && "/_sim/state".equals(path)) {
      return stateResponse();
    }
    if (!"POST".equals(req.method())) {
      return SimResponse.json(405, "{\"error\":\"UCloud API calls are POST with a JSON body\"}");
    }
    Map<String, String> params = CompShareRequests.parse(req.bodyText());
    String action = params.get("Action");
    String requestId = uuidRequestId();
    List<String> ids = CompShareRequests.ids(params);
    try {
      CompShareRequests.authenticate(action, params, secrets, ACTIONS);
      if (!rateLimits.tryAcquire(action)) {
        throw new CompShareRefusal(
            CompShareCodes.RATE_LIMITED,
            "Request frequency limit exceeded for " + action + ", slow down");
      }
      CompShareRequests.checkRegion(params, world.region);
    } catch (CompShareRefusal r) {
      return refuse(action, ids, params, requestId, r.retCode, r.getMessage());
    }

    FaultRule fault = faults.match(action, ids).orElse(null);
    if (fault != null && fault.type != FaultRule.Type.TIMEOUT_AFTER_APPLY) {
      return injected(fault, action, ids, params, requestId);
    }

    Answer answer;
    synchronized (world) {
      long now = clock.millis();
      world.advance(now);
      answer = apply(action, CompShareRequests.params(params), now);
    }
    Map<String, String> recorded = CompShareRequests.recordable(params);
    if (fault != null) {
      recorded.put("_fault", fault.type.name()); // applied, but the answer is lost
    }
    CompShareWorld.Outcome outcome = answer.outcome();
    record(
        action,
        ids,
        outcome.ok() ? "OK" : String.valueOf(outcome.refusal().retCode()),
        outcome.effective(),
        requestId,
        recorded);
    if (fault != null) {
      return SimResponse.timeout(fault.delayMs);
    }
    return CompShareResponses.answer(
        CompShareResponses.body(action, answer), requestId, world.timing("latency"));
  }

  /** Reads the action's parameters and applies it to the world. */
  private Answer apply(String action, Params p, long now) {
    String zone = p.text("Zone");
    try {
      return switch (action) {
        case DESCRIBE -> describe(zone, p);
        case STOP -> {
          String id = required(p, "Zone", "UHostId");
          yield Answer.of(actions.stop(zone, id, p.bool("Force", false), now), "UHostId", id);
        }
        case TERMINATE -> {
          String id = required(p, "Zone", "UHostId");
          CompShareWorld.Outcome o =
              actions.terminate(zone, id, p.bool("ReleaseUDisk", false), now);
          yield Answer.of(o, "UHostId", id, "InRecycle", inRecycle(id));
        }
        case DETACH -> {
          String diskId = required(p, "UHostId", "UDiskId");
          String hostId = p.text("UHostId");
          yield Answer.of(
              actions.detach(zone, hostId, diskId, now), "UHostId", hostId, "UDiskId", diskId);
        }
        case DELETE_DISK -> {
          String diskId = required(p, "Zone", "UDiskId");
          yield Answer.of(actions.deleteDisk(diskId, now), "UDiskId", diskId);
        }
        default -> throw new IllegalStateException(action);
      };
    } catch (CompShareRefusal r) {
      return Answer.refused(r.retCode, r.getMessage());
    }
  }

  /** Requires every named parameter, in order; answers the last one's value. */
  private static String required(Params p, String... names) {
    String last = null;
    for (String n : names) {
      last = p.required(n);
    }
    return last;
  }

  /** "Yes" when the terminated host goes to the recycle bin (Month and Year charge types). */
  private String inRecycle(String id) {
    CompShareWorld.Instance i = world.instances.get(id);
    return i != null && CompShareWorld.recycled(i) ? "Yes" : "No";
  }

  private Answer describe(String zone, Params p) {
    List<String> wanted = p.list("UHostIds");
    if (wanted.size() > MAX_IDS) {
      return Answer.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE,
          "Params [UHostIds] not available: at most " + MAX_IDS + " ids per call");
    }
    int offset;
    int limit;
    try {
      // Unlike Params.integer, a given but empty Offset or Limit is refused.
      offset = p.text("Offset") != null ? Integer.parseInt(p.text("Offset")) : 0;
      limit = p.text("Limit") != null ? Integer.parseInt(p.text("Limit")) : 20;
    } catch (NumberFormatException e) {
      return Answer.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE, "Params [Offset/Limit] not available");
    }
    limit = Math.min(Math.max(limit, 1), 100);
    List<CompShareWorld.Instance> matching = actions.describe(zone, wanted);
    if (offset < 0 || offset > matching.size()) {
      return Answer.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE,
          "Params [Offset] not available: it exceeds TotalCount " + matching.size());
    }
    return new Answer(
        CompShareWorld.Outcome.ok(false),
        CompShareResponses.uhostSet(world, matching, offset, limit, zone));
  }

  private SimResponse injected(
      FaultRule f, String action, List<String> ids, Map<String, String> params, String rid) {
    SimResponse broken = broken(f, rid);
    if (broken != null) {
      record(action, ids, f.type.name(), false, rid, CompShareRequests.recordable(params));
      return broken;
    }
    switch (f.type) {
      case HTTP_ERROR -> {
        record(
            action, ids, "HTTP_" + f.httpStatus, false, rid, CompShareRequests.recordable(params));
        return CompShareResponses.httpError(f, rid);
      }
      case TIMEOUT -> {
        record(action, ids, "TIMEOUT", false, rid, CompShareRequests.recordable(params));
        return SimResponse.timeout(f.delayMs);
      }
      default -> {
        int code;
        String message = f.message;
        if (f.code != null && f.code.contains("InstanceOperationInProgress")) {
          code = CompShareCodes.OPERATION_IN_PROGRESS;
          message =
              message != null ? message : "InstanceOperationInProgress: injected, retry after 60s";
        } else {
          try {
            code = f.code == null ? CompShareCodes.INTERNAL_ERROR : Integer.parseInt(f.code.trim());
          } catch (NumberFormatException e) {
            code = CompShareCodes.INTERNAL_ERROR;
            message = message != null ? message : f.code;
          }
        }
        return refuse(
            action, ids, params, rid, code, message != null ? message : "injected error " + code);
      }
    }
  }

  private SimResponse refuse(
      String action,
      List<String> ids,
      Map<String, String> params,
      String rid,
      int code,
      String message) {
    record(action, ids, String.valueOf(code), false, rid, CompShareRequests.recordable(params));
    return CompShareResponses.answer(
        CompShareResponses.refusal(action, code, message), rid, world.timing("latency"));
  }

  // ---- state
  // --------------------------------------------------------------------------------------------------

  @Override
  public Object state() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("provider", PROVIDER);
    synchronized (world) {
      out.put("world", world.snapshot(clock.millis()));
    }
    out.put("ledger", ledger.asMaps());
    return out;
  }

  @Override
  public void attachNewDisk(WorldSpec.Disk disk) {
    synchronized (world) {
      world.advance(clock.millis());
      world.attachNewDisk(disk);
    }
  }

  @Override
  public List<String> orphanedDisks(Collection<String> deletedInstanceIds) {
    synchronized (world) {
      world.advance(clock.millis());
      return world.orphanedDisks(deletedInstanceIds);
    }
  }
}
