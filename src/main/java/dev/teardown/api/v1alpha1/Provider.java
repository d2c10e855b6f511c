package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The clouds Teardown can delete instances on; the wire value is what users write in {@code
 * spec.provider}.
 */
public enum Provider {
  @JsonProperty("tencentcloud")
  TENCENTCLOUD("tencentcloud"),
  @JsonProperty("ucloud-compshare")
  UCLOUD_COMPSHARE("ucloud-compshare"),
  @JsonProperty("volcengine")
  VOLCENGINE("volcengine");

  private final String value;

  Provider(String value) {
    this.value = value;
  }

  @JsonValue
  public String value() {
    return value;
  }

  public static Provider fromValue(String v) {
    for (Provider p : values()) {
      if (p.value.equals(v)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown provider " + v);
  }
}
