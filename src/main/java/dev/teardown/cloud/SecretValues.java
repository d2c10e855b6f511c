package dev.teardown.cloud;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the values read from a credentials Secret and remembers them so {@link SafeText} can take
 * them out of any text. Cloud keys and tokens are printable ASCII without whitespace; anything else
 * (a pasted non-ASCII character, an inner space or line break) would end up in an HTTP header,
 * where the HTTP client refuses it with an error that quotes the value. Such a Secret is refused up
 * front with a message that names the key, never the value.
 */
public final class SecretValues {
  /** Values shorter than this are not remembered: redacting them would mangle ordinary words. */
  static final int MIN_REMEMBERED = 6;

  private static final int MAX_REMEMBERED = 4096;

  /**
   * Known secret values, newest last; bounded so a long-running operator does not grow without end.
   */
  private static final Set<String> KNOWN =
      Collections.synchronizedSet(
          Collections.newSetFromMap(
              new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > MAX_REMEMBERED;
                }
              }));

  private SecretValues() {}

  /**
   * True when every character is printable ASCII other than space (0x21..0x7e). An empty value is
   * valid here.
   */
  public static boolean valid(String value) {
    if (value == null) {
      return true;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /**
   * The optional keys the adapters read besides the required ones (Tencent, Volcengine tokens;
   * CompShare project).
   */
  public static final Set<String> OPTIONAL_KEYS = Set.of("token", "sessionToken", "projectId");

  /**
   * Remembers every value for redaction and returns the keys (sorted, never values) whose value is
   * not printable ASCII without whitespace.
   */
  public static List<String> invalidKeys(Map<String, String> values) {
    return invalidKeys(values, values.keySet());
  }

  /**
   * Remembers every value for redaction and returns those of the keys a cloud adapter reads ({@code
   * required} and {@link #OPTIONAL_KEYS}) whose value is not printable ASCII without whitespace;
   * other keys of a shared Secret (a note, a description) are not the adapter's business.
   */
  public static List<String> invalidKeys(Map<String, String> values, Collection<String> required) {
    remember(values.values());
    return values.entrySet().stream()
        .filter(e -> required.contains(e.getKey()) || OPTIONAL_KEYS.contains(e.getKey()))
        .filter(e -> !valid(e.getValue()))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /** The message for a Secret with invalid values: the keys and what is wrong, not the values. */
  public static String problem(String namespace, String name, List<String> keys) {
    return "Secret "
        + namespace
        + "/"
        + name
        + ": the value of "
        + (keys.size() == 1 ? "key " : "keys ")
        + String.join(", ", keys)
        + " contains a character that is not printable ASCII or is whitespace (a pasted"
        + " non-ASCII character, an inner space or line break): put the exact key into the Secret";
  }

  /** Remembers values so that {@link SafeText#clean} removes them from any text. */
  public static void remember(Collection<String> values) {
    for (String v : values) {
      if (v != null && v.strip().length() >= MIN_REMEMBERED) {
        KNOWN.add(v);
        KNOWN.add(v.strip());
      }
    }
  }

  /**
   * A snapshot of the remembered values, longest first (so a value containing another is redacted
   * whole).
   */
  static List<String> known() {
    synchronized (KNOWN) {
      return KNOWN.stream().sorted((a, b) -> Integer.compare(b.length(), a.length())).toList();
    }
  }
}
