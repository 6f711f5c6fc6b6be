package dev.weir.controller.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** CA Secrets of backends trigger rebuilds as certificate Secrets do. */
class ReferencesTest {

  @Test
  void aProxyRouteReferencesItsCertificateAndItsBackendsCaSecrets() {
    ProxyRoute r = Serialization.unmarshal("""
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: x, namespace: web}
        spec:
          hosts: [x.example.com]
          tls: {secretName: x-tls}
          rules:
          - backends: [{service: a, port: 443, tls: {caSecretName: a-ca}}, {service: b, port: 443, tls: {}}, {service: c, port: 80}]
        """, ProxyRoute.class);
    assertEquals(Set.of("x-tls", "a-ca"), References.secrets(r));
  }

  @Test
  void aProxyRouteReferencesItsMirrorServiceAsABackend() {
    ProxyRoute r = Serialization.unmarshal("""
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: x, namespace: web}
        spec:
          hosts: [x.example.com]
          rules:
          - backends: [{service: a, port: 80}]
            mirror: {service: shadow, port: 8080}
        """, ProxyRoute.class);
    assertEquals(Set.of("a", "shadow"), References.services(r));
  }

  @Test
  void anIngressReferencesTheProxySslSecretInEitherForm() {
    String yaml = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: x
          namespace: web
          annotations: {weir.dev/proxy-ssl-secret: %s}
        spec:
          tls: [{secretName: x-tls}]
        """;
    assertEquals(Set.of("x-tls", "api-ca"), References.secrets(Serialization.unmarshal(yaml.formatted("api-ca"), Ingress.class)));
    assertEquals(Set.of("x-tls", "api-ca"), References.secrets(Serialization.unmarshal(yaml.formatted("web/api-ca"), Ingress.class)));
  }
}
