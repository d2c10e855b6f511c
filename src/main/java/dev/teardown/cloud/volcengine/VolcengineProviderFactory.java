package dev.teardown.cloud.volcengine;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.ErrorKind;
import java.time.Clock;
import java.util.List;

/**
 * Connects to Volcengine with an access key pair from the resource's Secret: {@code accessKeyId},
 * {@code secretAccessKey} and, for temporary (STS) credentials, {@code sessionToken}.
 */
public final class VolcengineProviderFactory implements CloudProviderFactory {

  public static final String ACCESS_KEY_ID = "accessKeyId";
  public static final String SECRET_ACCESS_KEY = "secretAccessKey";
  public static final String SESSION_TOKEN = "sessionToken";

  @Override
  public Provider provider() {
    return Provider.VOLCENGINE;
  }

  @Override
  public List<String> requiredSecretKeys() {
    return List.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY);
  }

  @Override
  public CloudProvider connect(ConnectionSpec spec) throws CloudException {
    for (String key : requiredSecretKeys()) {
      if (spec.credentials() == null || !spec.credentials().has(key)) {
        throw new CloudException(
            CloudError.of(
                ErrorKind.TERMINAL,
                "MissingCredentials",
                "the credentials Secret has no '"
                    + key
                    + "': add the Volcengine access key pair as '"
                    + ACCESS_KEY_ID
                    + "' and '"
                    + SECRET_ACCESS_KEY
                    + "', then re-create this CloudInstanceDeletion",
                null,
                "Connect"));
      }
    }
    if (spec.region() == null || spec.region().isBlank()) {
      throw new CloudException(
          CloudError.of(
              ErrorKind.TERMINAL,
              "MissingRegion",
              "spec.region is empty: Volcengine signs every request for a region (e.g. cn-beijing); set it and re-create "
                  + "this CloudInstanceDeletion",
              null,
              "Connect"));
    }
    String token =
        spec.credentials().has(SESSION_TOKEN) ? spec.credentials().get(SESSION_TOKEN) : null;
    VolcengineClient client =
        new VolcengineClient(
            spec,
            spec.credentials().get(ACCESS_KEY_ID),
            spec.credentials().get(SECRET_ACCESS_KEY),
            token);
    return new VolcengineProvider(client, Clock.systemUTC());
  }
}
