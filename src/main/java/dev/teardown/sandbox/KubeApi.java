package dev.teardown.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A Kubernetes API the sandbox (and the tests) run on: either {@link RealKube}, a real
 * kube-apiserver with etcd, or {@link EmbeddedKube}, fabric8's in-process mock, the zero-dependency
 * fallback. Both come with the CloudInstanceDeletion CRD installed.
 */
public interface KubeApi extends AutoCloseable {

  /** A client with every right (cluster-admin on the real server). */
  KubernetesClient client();

  /** The server's base URL. */
  String url();

  /**
   * A kubeconfig that fabric8 and kubectl accept, pointing at this server with the client's
   * identity.
   */
  String kubeconfig();

  /** True for a real kube-apiserver (schema, CEL, RBAC, watch streams, server-side printing). */
  boolean real();

  @Override
  void close();
}
