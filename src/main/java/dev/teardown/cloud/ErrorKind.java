package dev.teardown.cloud;

/**
 * How a cloud error is treated; each adapter maps every code it knows to one of these in one table.
 */
public enum ErrorKind {
  /**
   * Transient (5xx, timeouts, busy resources, operation locks): requeue with backoff, never fail
   * the deletion.
   */
  RETRYABLE,
  /** Rate limited: requeue with a longer backoff, never fail the deletion. */
  THROTTLED,
  /** The thing is gone: after a terminate or release this means done. */
  NOT_FOUND,
  /**
   * The keys were refused (bad signature, unknown or disabled key, expired token, missing
   * permission): a person fixes the Secret or the key's policy. Never ends a deletion after its
   * first mutating call; it backs off with condition CredentialsValid=False and resumes when the
   * Secret works again.
   */
  CREDENTIALS,
  /**
   * Retrying cannot help (bad keys, protection, prepaid not returnable, bad parameters): Failed
   * with the code.
   */
  TERMINAL;

  public String display() {
    return switch (this) {
      case RETRYABLE -> "Retryable";
      case THROTTLED -> "Throttled";
      case NOT_FOUND -> "NotFound";
      case CREDENTIALS -> "Credentials";
      case TERMINAL -> "Terminal";
    };
  }
}
