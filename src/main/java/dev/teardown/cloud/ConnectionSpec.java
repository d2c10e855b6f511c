package dev.teardown.cloud;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Everything an adapter needs to connect for one reconcile.
 *
 * @param endpoint override of the cloud's public endpoint (sandbox, simulator, private gateway);
 *     null = public
 * @param timeout connect/read/write timeout of one HTTP call
 * @param serviceEndpoints overrides of single services of the cloud (Tencent: "cvm", "cbs"), each
 *     winning over {@code endpoint} for that service; empty = none
 * @param budget charged by the adapter once per SDK call; never null
 */
public record ConnectionSpec(
    String region,
    String zone,
    Credentials credentials,
    URI endpoint,
    Duration timeout,
    Map<String, URI> serviceEndpoints,
    CallBudget budget) {

  public ConnectionSpec {
    serviceEndpoints = serviceEndpoints == null ? Map.of() : Map.copyOf(serviceEndpoints);
    budget = budget == null ? CallBudget.UNLIMITED : budget;
  }

  /** Without service overrides or a client-side budget. */
  public ConnectionSpec(
      String region, String zone, Credentials credentials, URI endpoint, Duration timeout) {
    this(region, zone, credentials, endpoint, timeout, Map.of(), CallBudget.UNLIMITED);
  }

  /** Without a client-side budget. */
  public ConnectionSpec(
      String region,
      String zone,
      Credentials credentials,
      URI endpoint,
      Duration timeout,
      Map<String, URI> serviceEndpoints) {
    this(region, zone, credentials, endpoint, timeout, serviceEndpoints, CallBudget.UNLIMITED);
  }

  /** Without service overrides. */
  public ConnectionSpec(
      String region,
      String zone,
      Credentials credentials,
      URI endpoint,
      Duration timeout,
      CallBudget budget) {
    this(region, zone, credentials, endpoint, timeout, Map.of(), budget);
  }

  /**
   * The override for one service: its own if set, else the cloud-wide one, else null (public
   * endpoint).
   */
  public URI endpointOf(String service) {
    return serviceEndpoints.getOrDefault(service, endpoint);
  }
}
