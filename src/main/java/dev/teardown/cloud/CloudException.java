package dev.teardown.cloud;

/** A whole call failed (as opposed to one id inside a batch); carries the classified error. */
public class CloudException extends Exception {
  private final CloudError error;

  public CloudException(CloudError error) {
    super(error.toString());
    this.error = error;
  }

  public CloudException(CloudError error, Throwable cause) {
    super(error.toString(), cause);
    this.error = error;
  }

  public CloudError error() {
    return error;
  }
}
