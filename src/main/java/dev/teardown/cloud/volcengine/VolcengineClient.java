package dev.teardown.cloud.volcengine;

import com.volcengine.ApiClient;
import com.volcengine.ApiException;
import com.volcengine.UniversalApi;
import com.volcengine.UniversalRequest;
import com.volcengine.model.ResponseMetadata;
import com.volcengine.sign.Credentials;
import dev.teardown.cloud.CallBudget;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.ErrorKind;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place every Volcengine call goes through (per credentials and region):
 * volcengine-java-sdk-core's UniversalApi with explicit timeouts, the SDK's automatic retries off
 * (the operator's requeue is the only retry), no proxy from the environment, and every failure
 * turned into a classified {@link CloudException} — including an Error inside an HTTP 200 answer,
 * which UniversalApi does not throw on.
 */
final class VolcengineClient implements AutoCloseable {

  static final String API_VERSION = "2020-04-01";
  static final String PUBLIC_ENDPOINT = "open.volcengineapi.com";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** One answer: its request id and its Result object (empty when the answer had none). */
  record Response(String requestId, Map<String, Object> result) {}

  private final ApiClient apiClient;
  private final UniversalApi api;
  private final CallBudget budget;

  VolcengineClient(
      ConnectionSpec spec, String accessKeyId, String secretAccessKey, String sessionToken) {
    ApiClient c = new ApiClient();
    c.setDebugging(
        false); // debug logging prints signed requests; never on, whatever the SDK's default
    URI endpoint = spec.endpoint();
    if (endpoint != null) {
      c.setEndpoint(endpoint.getHost() + (endpoint.getPort() > 0 ? ":" + endpoint.getPort() : ""));
      c.setDisableSSL("http".equalsIgnoreCase(endpoint.getScheme()));
    } else {
      c.setEndpoint(PUBLIC_ENDPOINT);
      c.setDisableSSL(false);
    }
    c.setRegion(spec.region());
    c.setCredentials(
        sessionToken == null || sessionToken.isBlank()
            ? Credentials.getCredentials(accessKeyId, secretAccessKey)
            : Credentials.getCredentials(accessKeyId, secretAccessKey, sessionToken));
    Duration timeout =
        spec.timeout() == null || spec.timeout().isZero() || spec.timeout().isNegative()
            ? DEFAULT_TIMEOUT
            : spec.timeout();
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    c.setConnectTimeout(ms);
    c.setReadTimeout(ms);
    c.setWriteTimeout(ms);
    // The SDK retries 429/5xx/timeouts 3 times with backoff by default; a hidden retry would block
    // the reconcile
    // thread and hide throttling from the operator, whose requeue is the only retry.
    c.setAutoRetry(false);
    c.setNumMaxRetries(0);
    // The SDK's proxy selector reads HTTP_PROXY/HTTPS_PROXY from the environment and ignores
    // NO_PROXY; a fixed
    // proxy on the OkHttp client takes precedence over the selector.
    c.getHttpClient().setProxy(Proxy.NO_PROXY);
    // OkHttp re-sends a request silently when the connection drops: the operator's requeue is the
    // only retry, so a
    // DeleteInstances is never sent twice behind its back (the ClientToken would absorb it, the
    // ledger would not).
    c.getHttpClient().setRetryOnConnectionFailure(false);
    this.apiClient = c;
    this.api = new UniversalApi(c);
    this.budget = spec.budget();
  }

  /**
   * Calls one action with flat OpenAPI parameters ({@code InstanceIds.1}, ...).
   *
   * @throws CloudException classified by {@link VolcengineErrors} for any failure of the whole call
   */
  @SuppressWarnings("unchecked")
  Response call(String service, String action, Map<String, Object> params) throws CloudException {
    budget.acquire(action);
    Map<String, Object> body;
    try {
      body =
          api.doCall(
              new UniversalRequest(service, action, API_VERSION), new LinkedHashMap<>(params));
    } catch (ApiException e) {
      throw new CloudException(fromApiException(action, e), e);
    } catch (RuntimeException e) {
      // a body that is not the OpenAPI JSON envelope (a proxy's error page, a truncated answer)
      throw new CloudException(
          CloudError.of(
              ErrorKind.RETRYABLE,
              VolcengineErrors.UNREADABLE_RESPONSE,
              "the answer from Volcengine could not be read (" + e.getClass().getSimpleName() + ")",
              null,
              action),
          e);
    }
    if (body == null) {
      throw new CloudException(
          CloudError.of(
              ErrorKind.RETRYABLE,
              VolcengineErrors.UNREADABLE_RESPONSE,
              "empty answer from Volcengine",
              null,
              action));
    }
    Map<String, Object> meta =
        body.get("ResponseMetadata") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    String requestId = str(meta.get("RequestId"));
    if (meta.get("Error") instanceof Map<?, ?> err && !str(err.get("Code")).isEmpty()) {
      // UniversalApi hands back HTTP 200 answers that carry an Error as if they had succeeded
      throw new CloudException(
          VolcengineErrors.classify(
              action, 200, str(err.get("Code")), str(err.get("Message")), requestId, null));
    }
    Map<String, Object> result =
        body.get("Result") instanceof Map<?, ?> r ? (Map<String, Object>) r : new LinkedHashMap<>();
    return new Response(requestId.isEmpty() ? null : requestId, result);
  }

  private static CloudError fromApiException(String action, ApiException e) {
    if (e.getCode() == 0) {
      return VolcengineErrors.network(action, e.getCause() != null ? e.getCause() : e);
    }
    ResponseMetadata meta = e.getResponseMetadata();
    String code = null;
    String message = null;
    String requestId = null;
    if (meta != null) {
      requestId = meta.getRequestId();
      if (meta.getError() != null) {
        code = meta.getError().getCode();
        message = meta.getError().getMessage();
      }
    }
    return VolcengineErrors.classify(action, e.getCode(), code, message, requestId, null);
  }

  /** The configured SDK client (for tests of the configuration). */
  ApiClient apiClient() {
    return apiClient;
  }

  static String str(Object o) {
    return o == null ? "" : o.toString();
  }

  @Override
  public void close() {
    apiClient.getHttpClient().getConnectionPool().evictAll();
  }
}
