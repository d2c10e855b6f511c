package dev.teardown.controller;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudProviderFactory;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The cloud adapters on the classpath, found through ServiceLoader so the core names none of them.
 */
public final class ProviderRegistry {
  private final Map<Provider, CloudProviderFactory> factories = new EnumMap<>(Provider.class);

  public ProviderRegistry(Iterable<CloudProviderFactory> found) {
    for (CloudProviderFactory f : found) {
      factories.put(f.provider(), f);
    }
  }

  public static ProviderRegistry discover() {
    return new ProviderRegistry(ServiceLoader.load(CloudProviderFactory.class));
  }

  public Optional<CloudProviderFactory> get(Provider p) {
    return Optional.ofNullable(factories.get(p));
  }

  public Map<Provider, CloudProviderFactory> all() {
    return Map.copyOf(factories);
  }
}
