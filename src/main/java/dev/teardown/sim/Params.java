package dev.teardown.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameters of one request, read the same way for every simulated cloud: a value by name, a
 * required value, a list of ids, an integer with a default and bounds, a flag. Two wire encodings
 * exist: flat text parameters with lists flattened as {@code Key.N} (Volcengine's query string,
 * CompShare's JSON body; N is sorted numerically, whatever it starts at) and a JSON object with
 * lists as arrays (Tencent's body). A missing or invalid parameter is refused with the cloud's own
 * error, which its {@link ParamErrors} makes.
 */
public abstract class Params {
  protected final ParamErrors errors;

  private Params(ParamErrors errors) {
    this.errors = errors;
  }

  /** Flat text parameters; lists are {@code Key.N}. */
  public static Params flat(Map<String, String> values, ParamErrors errors) {
    return new Flat(values, errors);
  }

  /** A JSON object; lists are arrays, values keep their JSON type. */
  public static Params json(JsonNode body, ParamErrors errors) {
    return new Json(body, errors);
  }

  /** The value as text, or null when absent. */
  public abstract String text(String name);

  /** The list's items in order; empty when absent. */
  public abstract List<String> list(String name);

  /** A flag; {@code def} when absent. */
  public abstract boolean bool(String name, boolean def);

  /** A number read leniently: {@code def} when absent or unreadable. */
  public abstract long lenientLong(String name, long def);

  /** The value; refused with {@link ParamErrors#missing} when it is {@link ParamErrors#absent}. */
  public String required(String name) {
    String v = text(name);
    if (errors.absent(v)) {
      throw errors.missing(name);
    }
    return v;
  }

  /** The list; refused with {@link ParamErrors#missing} when it is empty. */
  public List<String> requiredList(String name) {
    List<String> v = list(name);
    if (v.isEmpty()) {
      throw errors.missing(name);
    }
    return v;
  }

  /**
   * An integer within {@code [min, max]}; {@code def} when absent or empty, refused when not a
   * number or out of bounds.
   */
  public int integer(String name, int def, int min, int max) {
    String v = text(name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw errors.invalid(ParamErrors.Problem.NOT_A_NUMBER, name, v);
    }
    if (n < min || n > max) {
      throw errors.invalid(ParamErrors.Problem.OUT_OF_RANGE, name, min + " and " + max);
    }
    return n;
  }

  private static final class Flat extends Params {
    private final Map<String, String> values;

    Flat(Map<String, String> values, ParamErrors errors) {
      super(errors);
      this.values = values;
    }

    @Override
    public String text(String name) {
      return values.get(name);
    }

    @Override
    public List<String> list(String name) {
      TreeMap<Integer, String> byIndex = new TreeMap<>();
      String prefix = name + ".";
      for (Map.Entry<String, String> e : values.entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          try {
            byIndex.put(Integer.parseInt(e.getKey().substring(prefix.length())), e.getValue());
          } catch (NumberFormatException notAnIndex) {
            if (errors.strictListKeys()) {
              throw errors.invalid(ParamErrors.Problem.BAD_LIST_KEY, e.getKey(), e.getValue());
            }
          }
        }
      }
      return new ArrayList<>(byIndex.values());
    }

    @Override
    public boolean bool(String name, boolean def) {
      String v = values.get(name);
      return v == null ? def : Boolean.parseBoolean(v);
    }

    @Override
    public long lenientLong(String name, long def) {
      try {
        String v = values.get(name);
        return v == null ? def : Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        return def;
      }
    }
  }

  private static final class Json extends Params {
    private final JsonNode body;

    Json(JsonNode body, ParamErrors errors) {
      super(errors);
      this.body = body;
    }

    @Override
    public String text(String name) {
      return body.hasNonNull(name) ? body.get(name).asText() : null;
    }

    @Override
    public List<String> list(String name) {
      JsonNode a = body.get(name);
      if (a == null || a.isNull()) {
        return List.of();
      }
      if (!a.isArray()) {
        throw errors.invalid(ParamErrors.Problem.NOT_A_LIST, name, a.toString());
      }
      List<String> out = new ArrayList<>();
      a.forEach(v -> out.add(v.asText()));
      return out;
    }

    @Override
    public boolean bool(String name, boolean def) {
      return body.path(name).asBoolean(def);
    }

    @Override
    public long lenientLong(String name, long def) {
      return body.path(name).asLong(def);
    }
  }
}
