package dev.teardown.sim.volcengine;

import dev.teardown.sim.FaultRule;
import dev.teardown.sim.Params;
import dev.teardown.sim.SimRequest;
import dev.teardown.sim.SimResponse;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.WorldSpec;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A wire-level simulator of Volcengine ECS and EBS (OpenAPI version 2020-04-01, services {@code
 * ecs} and {@code storage_ebs}) as volcengine-java-sdk-core's UniversalApi calls them: {@code GET
 * /?Action=..&Version=..&params} signed with HMAC-SHA256, answered with {@code
 * {"ResponseMetadata":{...[,"Error"]},"Result":{...}}}.
 *
 * <p>Actions: ecs DescribeInstances, DeleteInstances; storage_ebs DescribeVolumes, DetachVolume,
 * DeleteVolume. DeleteInstances and DeleteVolume honour ClientToken: the same token with the same
 * parameters replays the recorded answer without a second effect; the same token with other
 * parameters is IdempotentParameterMismatch. Choices where the vendor documents nothing (each is a
 * guess, kept in one place here): an unexpired PrePaid instance is refused per instance with {@code
 * InvalidInstanceChargeType}, a protected one with {@code OperationDenied.DeletionProtection}; a
 * volume with DeleteWithInstance=false survives its instance as {@code available}; a system volume
 * cannot be detached ({@code OperationDenied.SystemVolume}); a PrePaid or system volume cannot be
 * deleted ({@code VolumeStatusForbidDelete}); every action allows 20 requests per second unless the
 * world says otherwise; X-Date must be within 15 minutes of the simulator's clock.
 *
 * <p>Also answers {@code GET /_sim/state} with the world and the call ledger as JSON.
 *
 * <p>This class runs the request pipeline (authenticate, route, inject faults, throttle, apply once
 * per ClientToken, record, answer). The world model is {@link VolcengineWorld} with the actions of
 * {@link VolcengineEcs} and {@link VolcengineEbs} and the ClientToken rule of {@link
 * VolcengineClientTokens}; the wire format is {@link VolcengineRequests} (signature, routing,
 * parameters) and {@link VolcengineResponses} (envelope and results).
 */
public final class VolcengineSimulator extends SimulatorBase {

  public static final String PROVIDER = "volcengine";
  public static final String API_VERSION = "2020-04-01";
  public static final int DEFAULT_RATE_LIMIT_PER_SECOND = 20;
  static final int MAX_IDS = 100;
  private static final DateTimeFormatter REQUEST_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  private final Object lock = new Object();
  private final VolcengineWorld world;
  private final VolcengineEcs ecs;
  private final VolcengineEbs ebs;
  private final VolcengineClientTokens tokens = new VolcengineClientTokens();

  /** Everything about one request the handlers need. */
  private record Call(
      String action,
      String version,
      String service,
      String region,
      String requestId,
      Map<String, String> params,
      List<String> ids,
      String accessKeyId) {}

  public VolcengineSimulator(
      WorldSpec.CloudWorld spec, Clock clock, long seed, String host, int port) {
    super(PROVIDER, spec, clock, seed, DEFAULT_RATE_LIMIT_PER_SECOND, Map.of());
    this.world = new VolcengineWorld(spec, clock);
    this.ecs = new VolcengineEcs(world);
    this.ebs = new VolcengineEbs(world);
    listen(host, port);
  }

  /** The region the fleet lives in; requests signed for another region see an empty world. */
  public String region() {
    return world.region;
  }

  /** The instance's status now, or empty when it no longer exists. */
  public Optional<String> instanceStatus(String id) {
    synchronized (lock) {
      world.advance();
      VolcengineWorld.Instance i = world.instances.get(id);
      return i == null ? Optional.empty() : Optional.of(i.status);
    }
  }

  /** The volume's status now, or empty when it no longer exists. */
  public Optional<String> volumeStatus(String id) {
    synchronized (lock) {
      world.advance();
      VolcengineWorld.Volume v = world.volumes.get(id);
      return v == null ? Optional.empty() : Optional.of(v.status);
    }
  }

  /** The id of the system volume the simulator gives every instance. */
  public static String systemVolumeId(String instanceId) {
    return VolcengineWorld.systemVolumeId(instanceId);
  }

  @Override
  public Object state() {
    synchronized (lock) {
      world.advance();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("provider", PROVIDER);
      s.put("now", clock.instant().toString());
      s.put("world", world.snapshot());
      s.put("ledger", ledger.asMaps());
      s.put("rateLimits", rateLimits.limits());
      return s;
    }
  }

  @Override
  public void attachNewDisk(WorldSpec.Disk disk) {
    synchronized (lock) {
      world.advance();
      world.attachNewVolume(disk);
    }
  }

  @Override
  public List<String> orphanedDisks(Collection<String> deletedInstanceIds) {
    synchronized (lock) {
      world.advance();
      return world.orphanedDisks(deletedInstanceIds);
    }
  }

  // ------------------------------------------------------------------------------------------------ HTTP

  @Override
  protected SimResponse handle(SimRequest req) {
    if ("/_sim/state".equals(req.uri().getPath())) {
      return stateResponse();
    }
    Map<String, String> params = VolcengineSignature.decodeQuery(req.uri().getRawQuery());
    String action = params.getOrDefault("Action", "");
    VolcengineSignature.Authorization auth = VolcengineSignature.parse(req.header("authorization"));
    synchronized (lock) {
      Call call =
          new Call(
              action,
              params.getOrDefault("Version", ""),
              auth != null
                  ? auth.service()
                  : VolcengineRequests.SERVICE_OF_ACTION.getOrDefault(action, ""),
              auth != null ? auth.region() : world.region,
              newRequestId(),
              VolcengineRequests.ledgerParams(params),
              VolcengineRequests.idsOf(action, params),
              auth == null ? null : auth.accessKeyId());
      FaultRule afterApply = null;
      try {
        VolcengineRequests.authenticate(req, params, auth, secrets, clock);
        VolcengineRequests.route(call.action(), call.version(), call.service());
        Optional<FaultRule> fault = faults.match(action, call.ids());
        if (fault.isPresent()) {
          FaultRule f = fault.get();
          switch (f.type) {
            case ERROR ->
                throw VolcengineApiError.of(
                    f.code, f.message != null ? f.message : "Injected fault " + f.code + ".");
            case HTTP_ERROR -> {
              String code =
                  f.code != null ? f.code : VolcengineApiError.codeForStatus(f.httpStatus);
              throw new VolcengineApiError(
                  f.httpStatus,
                  code,
                  f.message != null ? f.message : "Injected HTTP " + f.httpStatus + ".");
            }
            case TIMEOUT -> {
              record(call, "Timeout", false);
              return SimResponse.timeout(f.delayMs);
            }
            case TIMEOUT_AFTER_APPLY -> afterApply = f;
            default -> {
              record(call, f.type.name(), false);
              return broken(f, call.requestId());
            }
          }
        }
        if (!rateLimits.tryAcquire(action)) {
          throw VolcengineApiError.of(
              "FlowLimitExceeded", "Request was denied due to request throttling.");
        }
        world.advance();
        boolean visible = world.region.equals(call.region());
        VolcengineResponses.Outcome outcome =
            tokens.once(
                call.accessKeyId(),
                action,
                call.params(),
                () -> apply(action, VolcengineRequests.params(action, params), visible));
        record(call, "OK", outcome.effective());
        if (afterApply != null) {
          return SimResponse.timeout(afterApply.delayMs); // the cloud did it; the answer is lost
        }
        return SimResponse.json(200, toJson(envelope(call, null, outcome.result())));
      } catch (VolcengineApiError e) {
        record(call, e.code, false);
        if (afterApply != null) {
          return SimResponse.timeout(afterApply.delayMs);
        }
        return SimResponse.json(e.status, toJson(envelope(call, e, null)));
      }
    }
  }

  /** Reads the action's parameters, applies it to the world and answers its result. */
  private VolcengineResponses.Outcome apply(String action, Params p, boolean visible) {
    return switch (action) {
      case "DescribeInstances" -> {
        List<String> ids = p.list("InstanceIds");
        if (ids.size() > MAX_IDS) {
          throw VolcengineApiError.of("InvalidArgument", "At most 100 InstanceIds may be given.");
        }
        int max = p.integer("MaxResults", 10, 1, 100);
        yield VolcengineResponses.instances(
            world,
            ecs.describeInstances(ids, p.text("Status"), visible),
            max,
            p.text("NextToken"),
            visible);
      }
      case "DeleteInstances" -> {
        List<String> ids = p.requiredList("InstanceIds");
        if (ids.size() > MAX_IDS) {
          throw VolcengineApiError.of("InvalidArgument", "At most 100 InstanceIds may be given.");
        }
        yield VolcengineResponses.deletions(ecs.deleteInstances(ids, visible));
      }
      case "DescribeVolumes" -> {
        List<String> ids = p.list("VolumeIds");
        if (ids.size() > MAX_IDS) {
          throw VolcengineApiError.of("InvalidParameter", "At most 100 VolumeIds may be given.");
        }
        String kind = p.text("Kind");
        if (kind != null && !kind.isEmpty() && !kind.equals("system") && !kind.equals("data")) {
          throw VolcengineApiError.of("InvalidParameter", "Kind must be system or data.");
        }
        int page = p.integer("PageNumber", 1, 1, Integer.MAX_VALUE);
        int size = p.integer("PageSize", 15, 1, 100);
        yield VolcengineResponses.volumes(
            ebs.describeVolumes(ids, p.text("InstanceId"), kind, p.text("VolumeStatus"), visible),
            page,
            size);
      }
      case "DetachVolume" -> {
        ebs.detachVolume(p.required("VolumeId"), p.required("InstanceId"), visible);
        yield VolcengineResponses.done();
      }
      case "DeleteVolume" -> {
        ebs.deleteVolume(p.required("VolumeId"), visible);
        yield VolcengineResponses.done();
      }
      default -> throw new IllegalStateException("routed an unknown action " + action);
    };
  }

  private Map<String, Object> envelope(
      Call call, VolcengineApiError error, Map<String, Object> result) {
    return VolcengineResponses.envelope(
        call.requestId(),
        call.action(),
        call.version(),
        call.service(),
        call.region(),
        error,
        result);
  }

  private void record(Call call, String outcome, boolean effective) {
    record(call.action(), call.ids(), outcome, effective, call.requestId(), call.params());
  }

  private String newRequestId() {
    return hexRequestId(REQUEST_ID_TIME.format(clock.instant()), 18);
  }
}
