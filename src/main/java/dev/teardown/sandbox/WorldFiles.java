package dev.teardown.sandbox;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.teardown.sim.WorldSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Loads world files (YAML) and says exactly where one is wrong: file, line, column and field path.
 */
public final class WorldFiles {
  public static final String DEFAULT = "worlds/default.yaml";
  public static final Set<String> PROVIDERS =
      Set.of("tencentcloud", "ucloud-compshare", "volcengine");

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private WorldFiles() {}

  /** A world file that does not describe a valid world. */
  public static final class WorldFileException extends Exception {
    public WorldFileException(String message) {
      super(message);
    }
  }

  public static WorldSpec load(Path file) throws WorldFileException {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new WorldFileException(file + ": cannot read: " + e.getMessage());
    }
  }

  public static WorldSpec loadDefault() {
    try (InputStream in = WorldFiles.class.getClassLoader().getResourceAsStream(DEFAULT)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT + " missing from the jar");
      }
      return parse(in, DEFAULT);
    } catch (IOException | WorldFileException e) {
      throw new IllegalStateException("the built-in world is broken: " + e.getMessage(), e);
    }
  }

  public static WorldSpec parse(InputStream in, String name) throws WorldFileException {
    WorldSpec w;
    try {
      w = YAML.readValue(in, WorldSpec.class);
    } catch (UnrecognizedPropertyException e) {
      throw new WorldFileException(
          where(name, e)
              + "unknown field '"
              + e.getPropertyName()
              + "' at "
              + path(e)
              + " (known: "
              + e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ")");
    } catch (JsonMappingException e) {
      throw new WorldFileException(
          where(name, e) + "bad value at " + path(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new WorldFileException(name + ": not valid YAML: " + e.getMessage());
    }
    if (w == null) {
      throw new WorldFileException(name + ": empty world file");
    }
    List<String> problems = validate(w);
    if (!problems.isEmpty()) {
      throw new WorldFileException(name + ": " + String.join("; ", problems));
    }
    return w;
  }

  static List<String> validate(WorldSpec w) {
    List<String> p = new ArrayList<>();
    w.clouds.forEach(
        (provider, c) -> {
          String at = "clouds." + provider;
          if (!PROVIDERS.contains(provider)) {
            p.add(
                at
                    + ": unknown provider (use one of "
                    + PROVIDERS.stream().sorted().toList()
                    + ")");
            return;
          }
          if (c.region == null || c.region.isBlank()) {
            p.add(at + ".region: required");
          }
          if (c.credentials.isEmpty()) {
            p.add(at + ".credentials: at least one key pair is required");
          }
          Set<String> ids = new HashSet<>();
          for (int i = 0; i < c.instances.size(); i++) {
            WorldSpec.Instance inst = c.instances.get(i);
            if (inst.id == null || inst.id.isBlank()) {
              p.add(at + ".instances[" + i + "].id: required");
            } else if (!ids.add(inst.id)) {
              p.add(at + ".instances[" + i + "].id: duplicate id " + inst.id);
            }
          }
          Set<String> diskIds = new HashSet<>();
          for (int i = 0; i < c.disks.size(); i++) {
            WorldSpec.Disk d = c.disks.get(i);
            if (d.id == null || d.id.isBlank()) {
              p.add(at + ".disks[" + i + "].id: required");
            } else if (!diskIds.add(d.id)) {
              p.add(at + ".disks[" + i + "].id: duplicate id " + d.id);
            }
            if (d.instanceId != null && !d.instanceId.isBlank() && !ids.contains(d.instanceId)) {
              p.add(
                  at
                      + ".disks["
                      + i
                      + "].instanceId: no instance "
                      + d.instanceId
                      + " in this cloud");
            }
          }
          for (int i = 0; i < c.faults.size(); i++) {
            var f = c.faults.get(i);
            if (f.probability <= 0 || f.probability > 1) {
              p.add(at + ".faults[" + i + "].probability: must be in (0, 1]");
            }
            if (f.type == dev.teardown.sim.FaultRule.Type.ERROR
                && (f.code == null || f.code.isBlank())) {
              p.add(at + ".faults[" + i + "].code: required for type ERROR");
            }
          }
        });
    return p;
  }

  private static String where(String name, JsonMappingException e) {
    JsonLocation l = e.getLocation();
    return l == null
        ? name + ": "
        : name + " line " + l.getLineNr() + ", column " + l.getColumnNr() + ": ";
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      }
    }
    return sb.length() == 0 ? "(top level)" : sb.toString();
  }
}
