package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.GuardSpec;
import dev.teardown.api.v1alpha1.NotFoundPolicy;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.RecordedPlan;
import dev.teardown.api.v1alpha1.RecycleBinPolicy;
import dev.teardown.api.v1alpha1.SecretReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The recorded plan: what decides what is deleted (everything in the spec but the Secret's name,
 * which a person may point elsewhere to fix credentials), its fingerprint, and the spec rebuilt
 * from it for later passes.
 */
final class SpecFingerprint {
  private SpecFingerprint() {}

  static String of(CloudInstanceDeletionSpec s) {
    String canonical =
        String.join(
                "\n",
                "provider=" + (s.getProvider() == null ? "" : s.getProvider().value()),
                "region=" + nz(s.getRegion()),
                "zone=" + nz(s.getZone()),
                "instanceIds="
                    + String.join(",", s.getInstanceIds() == null ? List.of() : s.getInstanceIds()),
                "dataDisks=" + s.getDataDisks(),
                "releaseAddress=" + s.releaseAddressEnabled(),
                "recycleBin=" + s.getRecycleBin(),
                "ifNotFound=" + s.getIfNotFound(),
                "dryRun=" + s.dryRunEnabled())
            + guardLine(s.getGuard());
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(h).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Empty without a guard, so fingerprints recorded before the guard existed stay valid. */
  private static String guardLine(GuardSpec g) {
    if (g == null) {
      return "";
    }
    java.util.TreeMap<String, String> tags =
        new java.util.TreeMap<>(g.getTags() == null ? Map.of() : g.getTags());
    return "\nguard.namePattern=" + nz(g.getNamePattern()) + "\nguard.tags=" + tags;
  }

  static RecordedPlan record(CloudInstanceDeletionSpec s, Long generation, Instant now) {
    RecordedPlan p = new RecordedPlan();
    p.setSpecHash(of(s));
    p.setGeneration(generation);
    p.setProvider(s.getProvider().value());
    p.setRegion(s.getRegion());
    p.setZone(s.getZone());
    p.setInstanceIds(new ArrayList<>(s.getInstanceIds()));
    p.setDataDisks(s.getDataDisks().name());
    p.setReleaseAddress(s.releaseAddressEnabled());
    p.setRecycleBin(s.getRecycleBin().name());
    p.setIfNotFound(s.getIfNotFound().name());
    p.setGuard(copy(s.getGuard()));
    p.setRecordedAt(now.toString());
    return p;
  }

  /** The spec as recorded, with today's Secret reference. */
  static CloudInstanceDeletionSpec specOf(RecordedPlan p, SecretReference secret) {
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(Provider.fromValue(p.getProvider()));
    s.setRegion(p.getRegion());
    s.setZone(p.getZone());
    s.setInstanceIds(new ArrayList<>(p.getInstanceIds()));
    s.setDataDisks(DataDiskPolicy.valueOf(p.getDataDisks()));
    s.setReleaseAddress(p.getReleaseAddress());
    s.setRecycleBin(RecycleBinPolicy.valueOf(p.getRecycleBin()));
    s.setIfNotFound(NotFoundPolicy.valueOf(p.getIfNotFound()));
    s.setGuard(copy(p.getGuard()));
    s.setDryRun(false);
    s.setCredentialsSecretRef(secret);
    return s;
  }

  /** What changed, for the SpecChanged message. */
  static List<String> differences(RecordedPlan p, CloudInstanceDeletionSpec now) {
    List<String> d = new ArrayList<>();
    if (!p.getProvider().equals(now.getProvider() == null ? null : now.getProvider().value())) {
      d.add("provider");
    }
    if (!nz(p.getRegion()).equals(nz(now.getRegion()))) {
      d.add("region");
    }
    if (!nz(p.getZone()).equals(nz(now.getZone()))) {
      d.add("zone");
    }
    if (!p.getInstanceIds().equals(now.getInstanceIds())) {
      d.add("instanceIds");
    }
    if (!p.getDataDisks().equals(now.getDataDisks().name())) {
      d.add("dataDisks");
    }
    if (!p.getReleaseAddress().equals(now.releaseAddressEnabled())) {
      d.add("releaseAddress");
    }
    if (!p.getRecycleBin().equals(now.getRecycleBin().name())) {
      d.add("recycleBin");
    }
    if (!p.getIfNotFound().equals(now.getIfNotFound().name())) {
      d.add("ifNotFound");
    }
    if (!java.util.Objects.equals(p.getGuard(), now.getGuard())) {
      d.add("guard");
    }
    if (now.dryRunEnabled()) {
      d.add("dryRun");
    }
    return d;
  }

  private static GuardSpec copy(GuardSpec g) {
    return g == null ? null : new GuardSpec(g.getNamePattern(), g.getTags());
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
