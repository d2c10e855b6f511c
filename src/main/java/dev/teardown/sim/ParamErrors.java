package dev.teardown.sim;

/**
 * How one cloud answers a request parameter that is missing or invalid: its own code and wording,
 * as the exception its simulator turns into the cloud's error envelope. {@link Params} reads the
 * parameters the same way for every cloud and asks this for the error to throw.
 */
public interface ParamErrors {

  /** What is wrong with a parameter that is present. */
  enum Problem {
    /** Not an integer; the detail is the value. */
    NOT_A_NUMBER,
    /** An integer outside its bounds; the detail is "{@code min and max}". */
    OUT_OF_RANGE,
    /** A JSON value that should be an array and is not. */
    NOT_A_LIST,
    /** A flattened list key {@code Key.X} whose X is not an integer; the name is the whole key. */
    BAD_LIST_KEY
  }

  /** The error for a required parameter that is absent (or {@link #absent}). */
  RuntimeException missing(String name);

  /** The error for a parameter that is present but unusable. */
  RuntimeException invalid(Problem problem, String name, String detail);

  /** Whether a required parameter with this value counts as not given; by default null or "". */
  default boolean absent(String value) {
    return value == null || value.isEmpty();
  }

  /**
   * Whether a flattened list key with a non-integer index ({@code Key.N.Sub}, {@code Key.x}) is
   * refused with {@link Problem#BAD_LIST_KEY}; when false such keys are skipped as not list items.
   */
  default boolean strictListKeys() {
    return true;
  }
}
