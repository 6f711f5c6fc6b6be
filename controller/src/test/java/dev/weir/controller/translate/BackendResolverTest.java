package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.controller.index.ResourceIndex;
import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.Endpoint;
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
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: api-1, namespace: web, labels: {kubernetes.io/service-name: api}}
      addressType: IPv4
      ports: [{name: http, port: 8080}, {name: admin, port: 9000}]
      endpoints:
      - addresses: [10.0.0.1]
      - addresses: [10.0.0.1]
      - addresses: [not-an-ip]
      - addresses: []
      """;

  final BackendResolver resolver = new BackendResolver(new IndexView(Fixtures.parse(OBJECTS)));

  @Test
  void byNumberAndByNameGiveTheSameClusterName() {
    assertEquals("web/api:80", resolver.byNumber("web", "api", 80).clusterName());
    assertEquals("web/api:80", resolver.byName("web", "api", "http").clusterName());
    assertEquals("web/api:81", resolver.byName("web", "api", "admin").clusterName());
  }

  @Test
  void failuresSayWhy() {
    BackendResolver.Resolution missing = resolver.byNumber("web", "nope", 80);
    assertEquals(Reason.BackendNotFound, missing.reason());
    assertEquals("service web/nope not found", missing.message());
    assertEquals("service web/api has no port 8080", resolver.byNumber("web", "api", 8080).message());
    assertEquals("service web/api has no port named \"grpc\"", resolver.byName("web", "api", "grpc").message());
    assertEquals(Reason.BackendNotFound, resolver.byNumber("other", "api", 80).reason(), "namespaces do not mix");
  }

  @Test
  void eachClusterUsesItsOwnSlicePortAndDropsDuplicatesAndNonAddresses() {
    resolver.byNumber("web", "api", 80);
    resolver.byNumber("web", "api", 81);
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
    assertNull(new BackendResolver(new IndexView(ResourceIndex.empty())).byNumber("a", "b", 1).clusterName());
  }
}
