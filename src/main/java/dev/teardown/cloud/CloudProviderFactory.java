package dev.teardown.cloud;

import dev.teardown.api.v1alpha1.Provider;
import java.util.List;

/**
 * Connects to one cloud (like crossplane's connector.Connect): validates the Secret's keys, builds
 * SDK clients.
 */
public interface CloudProviderFactory {

  Provider provider();

  /** Keys the Secret must hold, in the order they are documented. */
  List<String> requiredSecretKeys();

  CloudProvider connect(ConnectionSpec spec) throws CloudException;
}
