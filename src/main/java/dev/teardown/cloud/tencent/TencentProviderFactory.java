package dev.teardown.cloud.tencent;

import com.tencentcloudapi.cbs.v20170312.CbsClient;
import com.tencentcloudapi.common.Credential;
import com.tencentcloudapi.common.profile.ClientProfile;
import com.tencentcloudapi.common.profile.HttpProfile;
import com.tencentcloudapi.cvm.v20170312.CvmClient;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.cloud.ErrorKind;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Connects to Tencent Cloud with the Secret's {@code secretId} / {@code secretKey} (and optional
 * {@code token}). Both SDK clients use one OkHttp client with explicit timeouts and OkHttp's silent
 * retry on connection failure switched off: that retry would resend a TerminateInstances whose
 * answer was lost, which for an instance already in the recycle bin is an irreversible destroy. The
 * operator's requeue is the only retry.
 */
public final class TencentProviderFactory implements CloudProviderFactory {
  public static final String SECRET_ID = "secretId";
  public static final String SECRET_KEY = "secretKey";
  public static final String TOKEN = "token";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Shared pool and dispatcher; each connection derives its own timeouts from it. */
  private static final OkHttpClient BASE =
      new OkHttpClient.Builder()
          .retryOnConnectionFailure(false)
          .followRedirects(false)
          .followSslRedirects(false)
          .connectionPool(new ConnectionPool(5, 20, TimeUnit.SECONDS))
          .addInterceptor(TencentProviderFactory::bufferErrorBody)
          .build();

  @Override
  public Provider provider() {
    return Provider.TENCENTCLOUD;
  }

  @Override
  public List<String> requiredSecretKeys() {
    return List.of(SECRET_ID, SECRET_KEY);
  }

  @Override
  public CloudProvider connect(ConnectionSpec spec) throws CloudException {
    Credentials c = spec.credentials();
    if (c == null || !c.has(SECRET_ID) || !c.has(SECRET_KEY)) {
      throw new CloudException(
          CloudError.of(
              ErrorKind.TERMINAL,
              "MissingCredentials",
              "the credentials Secret must hold non-empty keys "
                  + SECRET_ID
                  + " and "
                  + SECRET_KEY
                  + " (optionally "
                  + TOKEN
                  + "): add them, then re-create this CloudInstanceDeletion",
              null,
              "Connect"));
    }
    if (spec.region() == null || spec.region().isBlank()) {
      throw new CloudException(
          CloudError.of(
              ErrorKind.TERMINAL,
              "MissingParameter",
              "spec.region is required for Tencent Cloud (e.g. ap-guangzhou)",
              null,
              "Connect"));
    }
    Credential credential =
        c.has(TOKEN)
            ? new Credential(c.get(SECRET_ID), c.get(SECRET_KEY), c.get(TOKEN))
            : new Credential(c.get(SECRET_ID), c.get(SECRET_KEY));
    Duration timeout =
        spec.timeout() == null || spec.timeout().isZero() ? DEFAULT_TIMEOUT : spec.timeout();
    OkHttpClient http =
        BASE.newBuilder()
            .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .writeTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .build();
    URI cvmEndpoint = spec.endpointOf("cvm");
    URI cbsEndpoint = spec.endpointOf("cbs");
    CvmClient cvm =
        new CvmClient(credential, spec.region(), profile("cvm", cvmEndpoint, timeout, http));
    CbsClient cbs =
        new CbsClient(credential, spec.region(), profile("cbs", cbsEndpoint, timeout, http));
    String where =
        "cvm "
            + (cvmEndpoint == null ? "public endpoint" : cvmEndpoint)
            + ", cbs "
            + (cbsEndpoint == null ? "public endpoint" : cbsEndpoint);
    return new TencentCloudProvider(
        cvm, cbs, "region=" + spec.region() + ", " + where, spec.budget());
  }

  /**
   * The SDK throws on a non-200 answer without closing its body, which leaks the pooled connection.
   * Reading the (small) error body here releases the connection; the SDK gets an in-memory copy.
   */
  private static Response bufferErrorBody(Interceptor.Chain chain) throws IOException {
    Response response = chain.proceed(chain.request());
    ResponseBody body = response.body();
    if (response.code() == 200 || body == null) {
      return response;
    }
    MediaType type = body.contentType();
    byte[] bytes = body.bytes(); // reads fully and closes
    return response.newBuilder().body(ResponseBody.create(type, bytes)).build();
  }

  /**
   * The endpoint override of the service (scheme, host and port of the URI; path ignored): the CVM
   * or CBS one, else the single override that serves both (the simulators); without one each
   * product uses its public endpoint. The SDK signs with the endpoint's first label as service.
   */
  static ClientProfile profile(String service, URI endpoint, Duration timeout, OkHttpClient http) {
    HttpProfile hp = new HttpProfile();
    if (endpoint != null) {
      hp.setProtocol(
          "http".equalsIgnoreCase(endpoint.getScheme())
              ? HttpProfile.REQ_HTTP
              : HttpProfile.REQ_HTTPS);
      hp.setEndpoint(
          endpoint.getPort() == -1
              ? endpoint.getHost()
              : endpoint.getHost() + ":" + endpoint.getPort());
    } else {
      hp.setProtocol(HttpProfile.REQ_HTTPS);
      hp.setEndpoint(service + ".tencentcloudapi.com");
    }
    // The profile's timeouts are whole seconds; the OkHttp client below carries the exact ones.
    int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    hp.setConnTimeout(seconds);
    hp.setReadTimeout(seconds);
    hp.setWriteTimeout(seconds);
    hp.setHttpClient(http);
    ClientProfile cp = new ClientProfile();
    cp.setDebug(
        false); // debug logging prints signed requests; never on, whatever the SDK's default
    cp.setSignMethod(ClientProfile.SIGN_TC3_256);
    cp.setHttpProfile(hp);
    return cp;
  }
}
