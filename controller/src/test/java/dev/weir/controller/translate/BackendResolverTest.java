package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.controller.index.ResourceIndex;
import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.UpstreamProtocol;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendResolverTest {
  static final String OBJECTS = """
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: web}
      spec:
        ports:
        - {name: http, port: 80, targetPort: 8080}
        - {name: admin, port: 81, targetPort: 9000}
        - {name: rpc, port: 50051, appProtocol: kubernetes.io/h2c}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: api-1, namespace: web, labels: {kubernetes.io/service-name: api}}
      addressType: IPv4
      ports: [{name: http, port: 8080}, {name: admin, port: 9000}, {name: rpc, port: 50051}]
      endpoints:
      - addresses: [10.0.0.1]
      - addresses: [10.0.0.1]
      - addresses: [not-an-ip]
      - addresses: []
      """;

  final BackendResolver resolver = backendResolver(new IndexView(Fixtures.parse(OBJECTS)));

  @Test
  void byNumberAndByNameGiveTheSameClusterName() {
    assertEquals("web/api:80", resolver.byNumber("web", "api", 80, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName());
    assertEquals("web/api:80", resolver.byName("web", "api", "http", null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName());
    assertEquals("web/api:81", resolver.byName("web", "api", "admin", null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName());
  }

  @Test
  void failuresSayWhy() {
    BackendResolver.Resolution missing = resolver.byNumber("web", "nope", 80, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT);
    assertEquals(Reason.BackendNotFound, missing.reason());
    assertEquals("service web/nope not found", missing.message());
    assertEquals("service web/api has no port 8080", resolver.byNumber("web", "api", 8080, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).message());
    assertEquals("service web/api has no port named \"grpc\"", resolver.byName("web", "api", "grpc", null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).message());
    assertEquals(Reason.BackendNotFound, resolver.byNumber("other", "api", 80, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).reason(), "namespaces do not mix");
  }

  @Test
  void eachClusterUsesItsOwnSlicePortAndDropsDuplicatesAndNonAddresses() {
    resolver.byNumber("web", "api", 80, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT);
    resolver.byNumber("web", "api", 81, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT);
    List<Cluster> clusters = resolver.clusters(List.of("web/api:81", "web/api:80", "web/unknown:1"));
    assertEquals(List.of(
        new Cluster("web/api:80", List.of(new Endpoint("10.0.0.1", 8080))),
        new Cluster("web/api:81", List.of(new Endpoint("10.0.0.1", 9000)))), clusters);
  }

  @Test
  void readyUnlessExplicitlyNotReady() {
    assertTrue(BackendResolver.isReady(null));
    assertTrue(BackendResolver.isReady(new EndpointConditions()));
    assertTrue(BackendResolver.isReady(new EndpointConditions(true, null, null)));
    assertFalse(BackendResolver.isReady(new EndpointConditions(false, true, true)));
  }

  @Test
  void addressesSortNumericallyIpv4First() {
    List<String> addresses = new ArrayList<>(List.of("fd00::1", "10.0.0.10", "10.0.0.9", "9.1.1.1", "::1"));
    addresses.sort((a, b) -> BackendResolver.addressKey(a).compareTo(BackendResolver.addressKey(b)));
    assertEquals(List.of("9.1.1.1", "10.0.0.9", "10.0.0.10", "::1", "fd00::1"), addresses);
  }

  @Test
  void onlyIpLiteralsAreEndpoints() {
    assertTrue(BackendResolver.isIpLiteral("10.1.2.3"));
    assertTrue(BackendResolver.isIpLiteral("2001:db8::1"));
    assertFalse(BackendResolver.isIpLiteral("api.example.com"));
    assertFalse(BackendResolver.isIpLiteral(""));
    assertNull(backendResolver(new IndexView(ResourceIndex.empty())).byNumber("a", "b", 1, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName());
  }

  @Test
  void theProtocolIsAskedForOrImpliedByAppProtocolAndH2cClustersHaveTheirOwnName() {
    assertEquals("web/api:80", resolver.byNumber("web", "api", 80, UpstreamProtocol.HTTP1, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName());
    assertEquals("web/api:80/h2c", resolver.byNumber("web", "api", 80, UpstreamProtocol.H2C, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName());
    assertEquals("web/api:50051/h2c", resolver.byNumber("web", "api", 50051, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName(), "appProtocol");
    assertEquals("web/api:50051/h2c", resolver.byName("web", "api", "rpc", null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName());
    assertEquals("web/api:50051", resolver.byNumber("web", "api", 50051, UpstreamProtocol.HTTP1, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName(),
        "an explicit protocol beats appProtocol");
    List<Cluster> clusters = resolver.clusters(List.of("web/api:80", "web/api:80/h2c", "web/api:50051/h2c"));
    assertEquals(List.of(
        new Cluster("web/api:50051/h2c", List.of(new Endpoint("10.0.0.1", 50051)), UpstreamProtocol.H2C),
        new Cluster("web/api:80", List.of(new Endpoint("10.0.0.1", 8080)), UpstreamProtocol.HTTP1),
        new Cluster("web/api:80/h2c", List.of(new Endpoint("10.0.0.1", 8080)), UpstreamProtocol.H2C)), clusters);
  }

  @Test
  void appProtocolsThatMeanH2c() {
    for (String h2c : List.of("kubernetes.io/h2c", "h2c", "grpc", "GRPC", "H2C")) {
      assertEquals(UpstreamProtocol.H2C, UpstreamProtocols.fromAppProtocol(h2c), h2c);
    }
    for (String http1 : new String[] {null, "", "http", "kubernetes.io/ws", "https", "grpcs", "kubernetes.io/h2"}) {
      assertEquals(UpstreamProtocol.HTTP1, UpstreamProtocols.fromAppProtocol(http1), http1);
    }
  }

  @Test
  void explicitProtocolNames() {
    assertEquals(UpstreamProtocol.HTTP1, UpstreamProtocols.fromProxyRoute("HTTP1"));
    assertEquals(UpstreamProtocol.H2C, UpstreamProtocols.fromProxyRoute("H2C"));
    assertEquals(UpstreamProtocol.H2C, UpstreamProtocols.fromProxyRoute("GRPC"));
    assertNull(UpstreamProtocols.fromProxyRoute("grpc"), "the CRD enum is case-sensitive");
    assertNull(UpstreamProtocols.fromProxyRoute("HTTP2"));
    assertEquals(UpstreamProtocol.HTTP1, UpstreamProtocols.fromAnnotation("http"));
    assertEquals(UpstreamProtocol.HTTP1, UpstreamProtocols.fromAnnotation("HTTP1"));
    assertEquals(UpstreamProtocol.H2C, UpstreamProtocols.fromAnnotation("h2c"));
    assertEquals(UpstreamProtocol.H2C, UpstreamProtocols.fromAnnotation("gRPC"));
    assertEquals(UpstreamProtocol.HTTP1, UpstreamProtocols.fromAnnotation("HTTPS"));
    assertEquals(UpstreamProtocol.H2C, UpstreamProtocols.fromAnnotation("grpcs"));
    assertTrue(UpstreamProtocols.annotationAsksForTls("https"));
    assertFalse(UpstreamProtocols.annotationAsksForTls("GRPC"));
    assertNull(UpstreamProtocols.fromAnnotation("AUTO_HTTP"));
    assertNull(UpstreamProtocols.fromAnnotation(""));
  }

  @Test
  void appProtocolsThatMeanTls() {
    for (String tls : List.of("https", "HTTPS", "kubernetes.io/wss")) {
      assertTrue(UpstreamProtocols.impliesTls(tls), tls);
    }
    for (String plain : new String[] {null, "", "http", "kubernetes.io/ws", "kubernetes.io/h2c", "grpc"}) {
      assertFalse(UpstreamProtocols.impliesTls(plain), plain);
    }
  }

  static final String TLS_OBJECTS = """
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: web}
      spec:
        ports:
        - {name: https, port: 443, appProtocol: https}
        - {name: plain, port: 80}
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: api-ca, namespace: web}
      stringData: {ca.crt: "@pki ca"}
      """;

  @Test
  void tlsSettingsAreInTheClusterNameSoDifferentSettingsNeverShareACluster() {
    BackendResolver r = backendResolver(new IndexView(Fixtures.parse(TLS_OBJECTS)));
    UpstreamTlsRequest on = new UpstreamTlsRequest(UpstreamTlsRequest.Mode.ON, null, null, true);
    assertEquals("web/api:80/tls=api.web.svc", r.byNumber("web", "api", 80, null, on).clusterName());
    assertEquals("web/api:80/h2/tls=api.web.svc", r.byNumber("web", "api", 80, UpstreamProtocol.H2C, on).clusterName());
    assertEquals("web/api:80/tls=x.example.com,ca=api-ca", r.byNumber("web", "api", 80, null,
        new UpstreamTlsRequest(UpstreamTlsRequest.Mode.ON, "api-ca", "x.example.com", true)).clusterName());
    assertEquals("web/api:80/tls=api.web.svc,insecure", r.byNumber("web", "api", 80, null,
        new UpstreamTlsRequest(UpstreamTlsRequest.Mode.ON, null, null, false)).clusterName());
    assertEquals("web/api:443/tls=api.web.svc", r.byNumber("web", "api", 443, null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT).clusterName(),
        "appProtocol https turns TLS on");
    assertEquals("web/api:443", r.byNumber("web", "api", 443, null,
        new UpstreamTlsRequest(UpstreamTlsRequest.Mode.OFF, null, null, false)).clusterName(), "an explicit plain protocol beats appProtocol");
    List<Cluster> clusters = r.clusters(List.of("web/api:80/tls=x.example.com,ca=api-ca", "web/api:80/tls=api.web.svc,insecure"));
    assertEquals(new dev.weir.snapshot.UpstreamTls("api.web.svc", null, false), clusters.get(0).tls());
    assertEquals("x.example.com", clusters.get(1).tls().serverName());
    assertTrue(clusters.get(1).tls().caCertificatesPem().contains("BEGIN CERTIFICATE"));
  }

  @Test
  void aMissingCaSecretFailsTheReference() {
    BackendResolver r = backendResolver(new IndexView(Fixtures.parse(TLS_OBJECTS)));
    BackendResolver.Resolution missing = r.byNumber("web", "api", 443, null,
        new UpstreamTlsRequest(UpstreamTlsRequest.Mode.ON, "nope", null, true));
    assertEquals(Reason.SecretNotFound, missing.reason());
    assertEquals("secret web/nope not found", missing.message());
    assertTrue(r.byNumber("web", "api", 443, null, new UpstreamTlsRequest(UpstreamTlsRequest.Mode.ON, "nope", null, false)).ok(),
        "without verification the CA is not needed (an Ingress with proxy-ssl-verify off)");
  }

  static BackendResolver backendResolver(IndexView view) {
    return new BackendResolver(view, new TlsResolver(view, Fixtures.NOW));
  }
}
