package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.controller.index.ResourceIndex;
import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.SnapshotJson;
import dev.weir.snapshot.UpstreamProtocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Properties of the whole translation that the golden files show only implicitly. */
class TranslatorTest {

  static TranslationResult translate(String yaml) {
    return Fixtures.translate(Fixtures.parse(yaml));
  }

  static ConditionVerdict accepted(TranslationResult r, String kind, String ns, String name) {
    return r.verdicts().get(new ObjectRef(kind, ns, name)).conditions().get(0);
  }

  static ConditionVerdict resolvedRefs(TranslationResult r, String kind, String ns, String name) {
    return r.verdicts().get(new ObjectRef(kind, ns, name)).conditions().get(1);
  }

  static final String DEFAULT_CERT = """
      apiVersion: v1
      kind: Secret
      metadata: {name: fallback, namespace: weir-system}
      type: kubernetes.io/tls
      stringData: {tls.crt: "@pki cert fallback.example.com", tls.key: "@pki key fallback.example.com"}
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: stale, namespace: weir-system}
      type: kubernetes.io/tls
      stringData: {tls.crt: "@pki cert expired.example.com", tls.key: "@pki key expired.example.com"}
      """;

  @Test
  void theDefaultCertificateIsInTheSnapshotEvenWithoutRoutes() {
    ResourceIndex index = Fixtures.parse(DEFAULT_CERT);
    TranslationResult r =
        Translator.translate(index, TranslateOptions.defaults().withDefaultCertificate("weir-system/fallback"), Fixtures.NOW);
    assertEquals("weir-system/fallback", r.snapshot().defaultCertificate());
    assertEquals(List.of("weir-system/fallback"), r.snapshot().certificates().stream().map(c -> c.name()).toList());
    assertEquals(List.of(), r.problems());
  }

  @Test
  void anUnusableDefaultCertificateIsAProblemOfTheControllerAndLeftOut() {
    ResourceIndex index = Fixtures.parse(DEFAULT_CERT);
    for (String ref : List.of("weir-system/stale", "weir-system/missing", "no-namespace")) {
      TranslationResult r = Translator.translate(index, TranslateOptions.defaults().withDefaultCertificate(ref), Fixtures.NOW);
      assertEquals(null, r.snapshot().defaultCertificate(), ref);
      assertTrue(r.snapshot().certificates().isEmpty(), ref);
      assertEquals(1, r.problems().size(), ref);
    }
    TranslationResult stale =
        Translator.translate(index, TranslateOptions.defaults().withDefaultCertificate("weir-system/stale"), Fixtures.NOW);
    assertTrue(stale.problems().get(0).message().contains("expired"), stale.problems().toString());
  }

  @Test
  void anEmptyIndexGivesTheEmptySnapshot() {
    TranslationResult r = Fixtures.translate(ResourceIndex.empty());
    assertEquals(Snapshot.empty(), r.snapshot());
    assertTrue(r.verdicts().isEmpty());
  }

  @Test
  void theSnapshotHasVersionZeroAndItsContentHash() {
    Snapshot s = translate(ROUTE_WITH_PROBLEMS).snapshot();
    assertEquals(0, s.version());
    assertEquals(s.withComputedHash().hash(), s.hash());
    assertEquals(32, s.hash().length());
  }

  @Test
  void messagesNameTheFieldAndTheObject() {
    TranslationResult r = translate(ROUTE_WITH_PROBLEMS);
    ConditionVerdict accepted = accepted(r, "ProxyRoute", "web", "shop");
    assertEquals(Reason.Invalid, accepted.reason());
    assertEquals("spec.rules[1].matches[0].path.value: invalid regular expression \"(\": Unclosed group near index 1",
        accepted.message());
    ConditionVerdict refs = resolvedRefs(r, "ProxyRoute", "web", "shop");
    assertEquals(Reason.BackendNotFound, refs.reason());
    assertEquals("spec.rules[0].backends[1]: service web/api-v2 not found", refs.message());
    assertEquals(List.of("proxyroute/web/shop/r0/m0", "proxyroute/web/shop/r1/m1"),
        r.verdicts().get(new ObjectRef("ProxyRoute", "web", "shop")).routeNames());
    assertEquals(4L, r.verdicts().get(new ObjectRef("ProxyRoute", "web", "shop")).generation());
  }

  @Test
  void theConflictLoserIsToldWhoWon() {
    TranslationResult r = translate(CONFLICT);
    assertEquals(
        new ConditionVerdict(dev.weir.crds.conditions.ConditionType.Accepted, false, Reason.Conflicted,
            "host shop.example.com PathPrefix /api is already claimed by ProxyRoute web/shop-old (older)"),
        accepted(r, "ProxyRoute", "web", "shop-new"));
    assertEquals(Reason.Accepted, accepted(r, "ProxyRoute", "web", "shop-old").reason());
    assertEquals(List.of(), r.verdicts().get(new ObjectRef("ProxyRoute", "web", "shop-new")).routeNames());
    // The loser's backend is used by no programmed route, so its cluster is not emitted.
    assertEquals(List.of("web/old:80"), r.snapshot().clusters().stream().map(Cluster::name).toList());
  }

  @Test
  void objectsOfAnotherClassGetNoVerdictAndNoRoutes() {
    TranslationResult r = translate(CONFLICT.replace("ingressClassName: weir", "ingressClassName: nginx"));
    assertEquals(1, r.verdicts().size());
    assertTrue(r.verdicts().containsKey(new ObjectRef("ProxyRoute", "web", "shop-old")));
    assertEquals(1, r.snapshot().virtualHosts().get(0).routes().size());
  }

  @Test
  void policiesAndProtocolsReachTheWireAndTheHash() {
    Snapshot s = translate(GRPC_WITH_POLICY).snapshot();
    Route route = s.virtualHosts().get(0).routes().get(0);
    assertEquals(new RoutePolicy(15_000, 2_000, 60_000, 4L << 20), route.policy());
    assertEquals(List.of(new Cluster("web/greeter:50051/h2c", List.of(), UpstreamProtocol.H2C)), s.clusters());
    assertEquals(s, SnapshotJson.readSnapshot(SnapshotJson.writeSnapshot(s)), "the dataplane reads what we write");
    assertNotEquals(s.hash(), translate(GRPC_WITH_POLICY.replace("idle: 1m", "idle: 2m")).snapshot().hash());
    assertNotEquals(s.hash(),
        translate(GRPC_WITH_POLICY.replace("protocol: GRPC", "protocol: HTTP1")).snapshot().hash());
  }

  static final String GRPC_WITH_POLICY = """
      apiVersion: weir.dev/v1alpha1
      kind: ProxyRoute
      metadata: {name: rpc, namespace: web}
      spec:
        hosts: [rpc.example.com]
        rules:
        - backends: [{service: greeter, port: 50051, protocol: GRPC}]
          timeouts: {request: 15s, backendConnect: 2s, idle: 1m}
          maxRequestBodySize: 4Mi
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: greeter, namespace: web}
      spec: {ports: [{port: 50051}]}
      """;

  static final String ROUTE_WITH_PROBLEMS = """
      apiVersion: weir.dev/v1alpha1
      kind: ProxyRoute
      metadata: {name: shop, namespace: web, generation: 4}
      spec:
        hosts: [shop.example.com]
        rules:
        - backends: [{service: api, port: 8080, weight: 90}, {service: api-v2, port: 8080, weight: 10}]
        - matches: [{path: {type: RegularExpression, value: "("}}, {path: {type: Exact, value: /x}}]
          backends: [{service: api, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: web}
      spec: {ports: [{port: 8080}]}
      """;

  static final String CONFLICT = """
      apiVersion: weir.dev/v1alpha1
      kind: ProxyRoute
      metadata: {name: shop-new, namespace: web, creationTimestamp: "2024-06-01T00:00:00Z"}
      spec:
        ingressClassName: weir
        hosts: [shop.example.com]
        rules: [{matches: [{path: {value: /api/}}], backends: [{service: new, port: 80}]}]
      ---
      apiVersion: weir.dev/v1alpha1
      kind: ProxyRoute
      metadata: {name: shop-old, namespace: web, creationTimestamp: "2024-01-01T00:00:00Z"}
      spec:
        hosts: [shop.example.com]
        rules: [{matches: [{path: {type: PathPrefix, value: /api}}], backends: [{service: old, port: 80}]}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: old, namespace: web}
      spec: {ports: [{port: 80}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: new, namespace: web}
      spec: {ports: [{port: 80}]}
      """;
}
