package dev.teardown.sim;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A world file: the fleets of each simulated cloud. YAML, keyed by provider name (tencentcloud,
 * ucloud-compshare, volcengine). Loaded by {@code WorldFiles}; its JSON Schema is {@code
 * src/main/resources/world.schema.json}.
 */
public class WorldSpec {
  @JsonPropertyDescription("Seed for every random choice (fault probabilities), so runs repeat.")
  public long seed = 42;

  @JsonPropertyDescription("One entry per simulated cloud, keyed by provider name.")
  public Map<String, CloudWorld> clouds = new LinkedHashMap<>();

  /** One cloud's fleet and behaviour. */
  public static class CloudWorld {
    @JsonPropertyDescription("Region the fleet lives in.")
    public String region;

    @JsonPropertyDescription("API key pairs the simulator accepts.")
    public List<KeyPair> credentials = new ArrayList<>();

    @JsonPropertyDescription(
        "How long transitions take, in milliseconds, by name (stop, terminate, shutdown, detach, release...).")
    public Map<String, Long> timingsMs = new LinkedHashMap<>();

    @JsonPropertyDescription(
        "Requests per second allowed per action; absent = the cloud's documented default.")
    public Map<String, Integer> rateLimits = new LinkedHashMap<>();

    public List<FaultRule> faults = new ArrayList<>();

    public List<Instance> instances = new ArrayList<>();

    public List<Disk> disks = new ArrayList<>();
  }

  /** An API key pair. */
  public static class KeyPair {
    @JsonPropertyDescription("SecretId / PublicKey / AccessKeyId.")
    public String id;

    @JsonPropertyDescription("SecretKey / PrivateKey / SecretAccessKey.")
    public String secret;

    public KeyPair() {}

    public KeyPair(String id, String secret) {
      this.id = id;
      this.secret = secret;
    }
  }

  /** An instance. */
  public static class Instance {
    public String id;
    public String name;
    public String zone;

    @JsonPropertyDescription(
        "The cloud's own state name: RUNNING/STOPPED/SHUTDOWN (Tencent), Running/Stopped (CompShare), RUNNING/STOPPED (Volcengine).")
    public String state;

    @JsonPropertyDescription(
        "The cloud's own charge type: PREPAID/POSTPAID_BY_HOUR (Tencent), Month/Dynamic/Postpay (CompShare), PrePaid/PostPaid (Volcengine).")
    public String chargeType;

    public boolean deletionProtection;

    @JsonPropertyDescription(
        "Prepaid period over (Volcengine only deletes expired prepaid instances).")
    public boolean expired;

    @JsonPropertyDescription("Spot / preemptible instance.")
    public boolean spot;

    @JsonPropertyDescription(
        "Tags (key: value). Tencent and Volcengine return them in DescribeInstances;"
            + " CompShare's describe has no key/value tags, so they are ignored there.")
    public java.util.Map<String, String> tags;
  }

  /** A data disk (volume). */
  public static class Disk {
    public String id;

    @JsonPropertyDescription("Instance it is attached to; empty = unattached.")
    public String instanceId;

    public String chargeType;
    public boolean deleteWithInstance;
    public boolean portable = true;

    @JsonPropertyDescription("Optional explicit state; default follows the attachment.")
    public String state;
  }
}
