package dev.teardown.cloud;

import java.net.URI;
import java.time.Duration;

/**
 * Everything an adapter needs to connect for one reconcile.
 *
 * @param endpoint override of the cloud's public endpoint (sandbox, simulator, private gateway); null = public
 * @param timeout connect/read/write timeout of one HTTP call
 * @param budget charged by the adapter once per SDK call; never null
 */
public record ConnectionSpec(
    String region, String zone, Credentials credentials, URI endpoint, Duration timeout, CallBudget budget) {

  public ConnectionSpec {
    budget = budget == null ? CallBudget.UNLIMITED : budget;
  }

  /** Without a client-side budget. */
  public ConnectionSpec(String region, String zone, Credentials credentials, URI endpoint, Duration timeout) {
    this(region, zone, credentials, endpoint, timeout, CallBudget.UNLIMITED);
  }
}
