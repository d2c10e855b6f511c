package dev.teardown.cloud.compshare;

import cn.ucloud.common.client.DefaultClient;
import cn.ucloud.common.config.Config;
import cn.ucloud.common.credential.Credential;
import cn.ucloud.common.transport.DefaultTransport;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.cloud.ErrorKind;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.slf4j.helpers.NOPLogger;

/**
 * Connects to UCloud CompShare. Secret keys: {@code publicKey}, {@code privateKey}, optional {@code
 * projectId}; spec.zone is required (every CompShare action is zonal). The SDK client gets the
 * CompShare gateway (or the endpoint override), an HTTP client with connect/read timeouts (the
 * SDK's own has none) and automatic retries off, and a silent logger: the SDK logs every signed
 * request, and a UCloud signature carries no timestamp, so a logged request could be replayed.
 */
public final class CompShareProviderFactory implements CloudProviderFactory {
  public static final String PUBLIC_KEY = "publicKey";
  public static final String PRIVATE_KEY = "privateKey";
  public static final String PROJECT_ID = "projectId";
  public static final String DEFAULT_BASE_URL = "https://api.compshare.cn";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  @Override
  public Provider provider() {
    return Provider.UCLOUD_COMPSHARE;
  }

  @Override
  public List<String> requiredSecretKeys() {
    return List.of(PUBLIC_KEY, PRIVATE_KEY);
  }

  @Override
  public CloudProvider connect(ConnectionSpec spec) throws CloudException {
    Credentials creds = spec.credentials();
    for (String key : requiredSecretKeys()) {
      if (creds == null || !creds.has(key)) {
        throw invalid(
            "MissingCredentials",
            "the Secret has no "
                + key
                + ": put the CompShare API keys (console, API keys) under publicKey and privateKey");
      }
    }
    if (spec.region() == null || spec.region().isBlank()) {
      throw invalid("MissingRegion", "spec.region is required for ucloud-compshare (e.g. cn-wlcb)");
    }
    if (spec.zone() == null || spec.zone().isBlank()) {
      throw invalid("MissingZone", "spec.zone is required for ucloud-compshare (e.g. cn-wlcb-01)");
    }

    Config config = new Config();
    config.setBaseUrl(spec.endpoint() == null ? DEFAULT_BASE_URL : spec.endpoint().toString());
    config.setRegion(spec.region());
    if (creds.has(PROJECT_ID)) {
      config.setProjectId(creds.get(PROJECT_ID));
    }
    config.setMaxRetries(
        0); // ignored by the SDK (requests carry their own default of 3); set per request too
    Duration timeout = spec.timeout() == null ? DEFAULT_TIMEOUT : spec.timeout();
    config.setLogger(NOPLogger.NOP_LOGGER);

    DefaultClient client =
        new DefaultClient(config, new Credential(creds.get(PUBLIC_KEY), creds.get(PRIVATE_KEY)));
    DefaultTransport transport = (DefaultTransport) client.getTransport();
    try {
      transport.getHttpClient().close(); // the SDK's default client, replaced below
    } catch (IOException e) {
      // an unused client; nothing to recover
    }
    transport.setHttpClient(httpClient(timeout));
    return new CompShareProvider(client, spec.zone(), spec.budget());
  }

  static CloseableHttpClient httpClient(Duration timeout) {
    int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    RequestConfig rc =
        RequestConfig.custom()
            .setConnectTimeout(ms)
            .setSocketTimeout(ms)
            .setConnectionRequestTimeout(ms)
            .build();
    return HttpClients.custom()
        .setDefaultRequestConfig(rc)
        .disableAutomaticRetries()
        .useSystemProperties()
        .build();
  }

  private static CloudException invalid(String code, String message) {
    return new CloudException(CloudError.of(ErrorKind.TERMINAL, code, message, null, "Connect"));
  }
}
