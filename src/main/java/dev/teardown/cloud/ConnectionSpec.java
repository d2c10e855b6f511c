package dev.teardown.cloud;

import java.net.URI;
import java.time.Duration;

/**
 * Everything an adapter needs to connect for one reconcile.
 *
 * @param endpoint override of the cloud's public endpoint (sandbox, simulator, private gateway); null = public
 * @param timeout connect/read/write timeout of one HTTP call
 */
public record ConnectionSpec(String region, String zone, Credentials credentials, URI endpoint, Duration timeout) {}
