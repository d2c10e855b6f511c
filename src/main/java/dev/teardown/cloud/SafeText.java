package dev.teardown.cloud;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text from outside (an SDK exception, a cloud's error message, an HTTP client's complaint)
 * fit for status, events and logs: remembered secret values and anything that looks like a
 * credential are replaced by {@value #REDACTED}, control characters become spaces, and the result
 * is at most {@value #MAX_LENGTH} characters. Every {@link CloudError} passes its fields through
 * here, so no adapter can copy an exception message raw.
 */
public final class SafeText {
  public static final String REDACTED = "[redacted]";
  public static final int MAX_LENGTH = 512;
  private static final int MAX_CODE_LENGTH = 128;

  /**
   * {@code name=value}, {@code name: value}, {@code "name":"value"} for names that carry
   * credentials.
   */
  private static final Pattern ASSIGNED =
      Pattern.compile(
          "(?i)((?:authorization|x-tc-token|x-security-token"
              + "|session[_-]?token|security[_-]?token|token|secret[a-z_-]*|private[_-]?key|public[_-]?key|access[_-]?key"
              + "[a-z_-]*|signature|credential|password|passwd|apikey|api[_-]key)\"?\\s*[:=]\\s*\"?)"
              + "(?!\\[redacted])([^\\s,;\"'&}]+)");

  /**
   * HTTP clients quote a refused header value: "Unexpected char 0x.. at 3 in X-TC-Token value:
   * ...".
   */
  private static final Pattern HEADER_VALUE =
      Pattern.compile("(?i)(\\bin [A-Za-z0-9_-]+ value:\\s*).*");

  /**
   * Signature schemes: "TC3-HMAC-SHA256 Credential=..., Signature=..." and "HMAC-SHA256
   * Credential=...".
   */
  private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)((?:TC3-)?HMAC-SHA256\\s+)\\S.*");

  /**
   * Bare long base64/hex runs (keys, tokens, signatures) that no keyword announced; see {@link
   * #opaque}.
   */
  private static final Pattern LONG_OPAQUE =
      Pattern.compile("(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_=-]{40,}");

  private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+");

  private SafeText() {}

  /** The sanitized form of a message; null stays null. */
  public static String clean(String text) {
    if (text == null) {
      return null;
    }
    String s = text;
    for (String secret : SecretValues.known()) {
      s = s.replace(secret, REDACTED);
    }
    s = CONTROL.matcher(s).replaceAll(" ");
    s = HEADER_VALUE.matcher(s).replaceAll("$1" + Matcher.quoteReplacement(REDACTED));
    s = AUTH_SCHEME.matcher(s).replaceAll("$1" + Matcher.quoteReplacement(REDACTED));
    s = ASSIGNED.matcher(s).replaceAll("$1" + Matcher.quoteReplacement(REDACTED));
    s =
        LONG_OPAQUE
            .matcher(s)
            .replaceAll(
                m ->
                    opaque(m.group())
                        ? Matcher.quoteReplacement(REDACTED)
                        : Matcher.quoteReplacement(m.group()));
    s = s.strip();
    if (s.length() > MAX_LENGTH) {
      s = s.substring(0, MAX_LENGTH - 1) + "…";
    }
    return s;
  }

  /** A run that looks like a key or token: letters and digits mixed, not a hyphenated name. */
  private static boolean opaque(String run) {
    boolean letter = run.chars().anyMatch(Character::isLetter);
    boolean digit = run.chars().anyMatch(Character::isDigit);
    long hyphens = run.chars().filter(c -> c == '-').count();
    return letter && digit && hyphens * 8 < run.length();
  }

  /**
   * An error code or request id: only letters, digits and {@code . _ - :}, at most {@value
   * #MAX_CODE_LENGTH} characters; anything else is replaced by '_'. Null stays null.
   */
  public static String code(String code) {
    if (code == null) {
      return null;
    }
    String c = code.strip().replaceAll("[^A-Za-z0-9._:-]", "_");
    return c.length() > MAX_CODE_LENGTH ? c.substring(0, MAX_CODE_LENGTH) : c;
  }

  /**
   * What to say about an unexpected exception: its class and sanitized message, never the raw text.
   */
  public static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + clean(m));
  }
}
