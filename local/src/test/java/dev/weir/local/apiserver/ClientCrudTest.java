package dev.weir.local.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.PathMatch;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.ProxyRouteSpec;
import dev.weir.crds.v1alpha1.ProxyRouteStatus;
import dev.weir.crds.v1alpha1.RouteBackend;
import dev.weir.crds.v1alpha1.RouteMatch;
import dev.weir.crds.v1alpha1.RouteRule;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CRUD and subresource behaviour through a fabric8 client over a real socket. */
class ClientCrudTest {

  private static EmbeddedApiServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    server = EmbeddedApiServer.start(0);
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static ProxyRoute route(String name, String host, String... services) {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
    ProxyRouteSpec spec = new ProxyRouteSpec();
    spec.setHosts(List.of(host));
    RouteRule rule = new RouteRule();
    RouteMatch match = new RouteMatch();
    match.setPath(new PathMatch(PathMatch.Type.PathPrefix, "/"));
    rule.setMatches(List.of(match));
    rule.setBackends(java.util.Arrays.stream(services).map(s -> new RouteBackend(s, 80, 1)).toList());
    spec.setRules(List.of(rule));
    route.setSpec(spec);
    return route;
  }

  @Test
  void startsWithTheCrdAndNamespaces() {
    assertNotNull(client.apiextensions().v1().customResourceDefinitions().withName("proxyroutes.weir.dev").get());
    assertEquals("Active", client.namespaces().withName("default").get().getStatus().getPhase());
    assertNotNull(client.namespaces().withName("weir-system").get());
  }

  @Test
  void proxyRouteCrud() {
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    ProxyRoute created = routes.resource(route("crud", "crud.example.com", "a")).create();
    assertEquals(1L, created.getMetadata().getGeneration());
    assertNotNull(created.getMetadata().getUid());
    assertEquals("crud.example.com", routes.withName("crud").get().getSpec().getHosts().get(0));
    assertTrue(routes.list().getItems().stream().anyMatch(r -> r.getMetadata().getName().equals("crud")));

    ProxyRoute edited = routes.withName("crud").edit(r -> {
      r.getSpec().setHosts(List.of("crud2.example.com"));
      return r;
    });
    assertEquals(List.of("crud2.example.com"), edited.getSpec().getHosts());

    assertThrows(KubernetesClientException.class, () -> routes.resource(route("crud", "x", "a")).create(),
        "creating an existing name is a conflict");
    routes.withName("crud").delete();
    assertNull(routes.withName("crud").get());
  }

  @Test
  void generationMovesOnlyWithTheSpec() {
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    routes.resource(route("gen", "gen.example.com", "a")).create();
    ProxyRoute labelled = routes.withName("gen").edit(r -> {
      r.getMetadata().setLabels(Map.of("team", "web"));
      return r;
    });
    assertEquals(1L, labelled.getMetadata().getGeneration(), "a metadata change keeps the generation");
    ProxyRoute changed = routes.withName("gen").edit(r -> {
      r.getSpec().setHosts(List.of("gen2.example.com"));
      return r;
    });
    assertEquals(2L, changed.getMetadata().getGeneration());
    ProxyRoute same = routes.withName("gen").edit(r -> r);
    assertEquals(2L, same.getMetadata().getGeneration(), "an update with nothing changed keeps the generation");
    assertEquals(changed.getMetadata().getResourceVersion(), same.getMetadata().getResourceVersion(),
        "and the resourceVersion");
  }

  @Test
  void statusSubresourceLeavesSpecAndGenerationAlone() {
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    routes.resource(route("st", "st.example.com", "a")).create();

    ProxyRoute withStatus = routes.withName("st").get();
    ProxyRouteStatus status = new ProxyRouteStatus();
    status.setObservedGeneration(1L);
    status.setConditions(List.of(new ConditionBuilder().withType("Programmed").withStatus("True")
        .withReason("Programmed").withMessage("ok").withLastTransitionTime("2026-01-01T00:00:00Z").build()));
    withStatus.setStatus(status);
    withStatus.getSpec().setHosts(List.of("sneaky.example.com"));
    ProxyRoute afterStatus = routes.resource(withStatus).updateStatus();
    assertEquals(1L, afterStatus.getMetadata().getGeneration());
    assertEquals(List.of("st.example.com"), afterStatus.getSpec().getHosts(), "a spec change sent to /status is ignored");
    assertEquals("Programmed", afterStatus.getStatus().getConditions().get(0).getType());

    // A main-resource update without status keeps the stored status (the subresource owns it).
    ProxyRoute specOnly = routes.withName("st").get();
    specOnly.setStatus(null);
    specOnly.getSpec().setHosts(List.of("st2.example.com"));
    ProxyRoute afterSpec = routes.resource(specOnly).update();
    assertEquals(2L, afterSpec.getMetadata().getGeneration());
    assertNotNull(afterSpec.getStatus());
    assertEquals(1L, afterSpec.getStatus().getObservedGeneration());

    // patchStatus (a merge patch on /status) replaces the conditions list instead of appending to it.
    ProxyRoute patch = routes.withName("st").get();
    ProxyRouteStatus next = new ProxyRouteStatus();
    next.setObservedGeneration(2L);
    next.setConditions(List.of(new ConditionBuilder().withType("Accepted").withStatus("True").withReason("Accepted")
        .withMessage("ok").withLastTransitionTime("2026-01-01T00:00:00Z").build()));
    patch.setStatus(next);
    ProxyRoute patched = routes.resource(patch).patchStatus();
    assertEquals(1, patched.getStatus().getConditions().size());
    assertEquals("Accepted", patched.getStatus().getConditions().get(0).getType());
    assertEquals(2L, patched.getMetadata().getGeneration());
  }

  @Test
  void staleResourceVersionIsAConflict() {
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    ProxyRoute created = routes.resource(route("stale", "stale.example.com", "a")).create();
    routes.withName("stale").edit(r -> {
      r.getSpec().setHosts(List.of("fresh.example.com"));
      return r;
    });
    created.getSpec().setHosts(List.of("stale2.example.com"));
    KubernetesClientException conflict =
        assertThrows(KubernetesClientException.class, () -> routes.resource(created).update());
    assertEquals(409, conflict.getCode());
  }

  @Test
  void mergePatchReplacesLists() {
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    routes.resource(route("merge", "one.example.com", "a", "b")).create();
    ProxyRoute patched = routes.withName("merge").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"hosts\":[\"two.example.com\"],\"ingressClassName\":\"weir\"}}");
    assertEquals(List.of("two.example.com"), patched.getSpec().getHosts());
    assertEquals("weir", patched.getSpec().getIngressClassName());
    assertEquals(2, patched.getSpec().getRules().get(0).getBackends().size(), "untouched lists stay");
    ProxyRoute nulled = routes.withName("merge").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"ingressClassName\":null}}");
    assertNull(nulled.getSpec().getIngressClassName(), "null deletes a key");
    assertEquals(3L, nulled.getMetadata().getGeneration());
  }

  @Test
  void serverSideApplyCreatesThenUpdates() {
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    ProxyRoute applied = routes.resource(route("ssa", "ssa.example.com", "a", "b")).fieldManager("test")
        .forceConflicts().serverSideApply();
    assertEquals(1L, applied.getMetadata().getGeneration());
    ProxyRoute again = routes.resource(route("ssa", "ssa.example.com", "c")).fieldManager("test")
        .forceConflicts().serverSideApply();
    assertEquals(List.of("c"), again.getSpec().getRules().get(0).getBackends().stream()
        .map(RouteBackend::getService).toList());
    assertEquals(2L, again.getMetadata().getGeneration());
  }

  @Test
  void ingressCrudAndStatus() {
    var ingresses = client.network().v1().ingresses().inNamespace("default");
    Ingress ingress = new IngressBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withIngressClassName("weir")
        .addNewRule().withHost("a.example.com").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
        .withNewBackend().withNewService().withName("echo").withNewPort().withNumber(80).endPort().endService()
        .endBackend().endPath().endHttp().endRule()
        .addNewRule().withHost("b.example.com").endRule()
        .endSpec().build();
    ingresses.resource(ingress).create();

    Ingress withStatus = ingresses.withName("web").get();
    withStatus.setStatus(new io.fabric8.kubernetes.api.model.networking.v1.IngressStatusBuilder().withNewLoadBalancer()
        .withIngress(new IngressLoadBalancerIngressBuilder().withIp("127.0.0.1").build()).endLoadBalancer().build());
    Ingress afterStatus = ingresses.resource(withStatus).updateStatus();
    assertEquals("127.0.0.1", afterStatus.getStatus().getLoadBalancer().getIngress().get(0).getIp());
    assertEquals(1L, afterStatus.getMetadata().getGeneration());

    // A merge patch with one rule replaces the two (the plain mock appended, duplicating rules on re-apply).
    Ingress patched = ingresses.withName("web").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"rules\":[{\"host\":\"c.example.com\"}]}}");
    assertEquals(1, patched.getSpec().getRules().size());
    assertEquals("c.example.com", patched.getSpec().getRules().get(0).getHost());
    assertEquals(2L, patched.getMetadata().getGeneration());
    assertEquals("127.0.0.1", patched.getStatus().getLoadBalancer().getIngress().get(0).getIp(),
        "a main-resource write keeps the status of a kind with a status subresource");

    ingresses.withName("web").delete();
    assertNull(ingresses.withName("web").get());
  }

  @Test
  void serviceEndpointSliceSecretCrud() {
    Service service = new ServiceBuilder().withNewMetadata().withName("echo").endMetadata()
        .withNewSpec().addNewPort().withName("http").withPort(80).withNewTargetPort(8080).endPort()
        .addNewPort().withName("https").withPort(443).withNewTargetPort(8443).endPort().endSpec().build();
    client.services().inNamespace("default").resource(service).create();

    EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName("echo-abc")
        .addToLabels("kubernetes.io/service-name", "echo").endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort().build();
    client.discovery().v1().endpointSlices().inNamespace("default").resource(slice).create();
    assertEquals(1, client.discovery().v1().endpointSlices().inNamespace("default")
        .withLabel("kubernetes.io/service-name", "echo").list().getItems().size());
    assertEquals(0, client.discovery().v1().endpointSlices().inNamespace("default")
        .withLabel("kubernetes.io/service-name", "other").list().getItems().size());

    Secret secret = new SecretBuilder().withNewMetadata().withName("tls").endMetadata().withType("kubernetes.io/tls")
        .addToStringData("tls.crt", "cert").addToStringData("tls.key", "key").build();
    client.secrets().inNamespace("default").resource(secret).create();
    Secret stored = client.secrets().inNamespace("default").withName("tls").get();
    assertEquals("kubernetes.io/tls", stored.getType());

    // A strategic merge patch as kubectl sends it: one port edited, the other kept.
    Service patched = client.services().inNamespace("default").withName("echo").patch(
        PatchContext.of(PatchType.STRATEGIC_MERGE),
        "{\"spec\":{\"$setElementOrder/ports\":[{\"port\":80},{\"port\":443}],"
            + "\"ports\":[{\"port\":443,\"targetPort\":9443}]}}");
    assertEquals(2, patched.getSpec().getPorts().size());
    assertEquals(9443, patched.getSpec().getPorts().get(1).getTargetPort().getIntVal());
    assertEquals(8080, patched.getSpec().getPorts().get(0).getTargetPort().getIntVal());

    client.secrets().inNamespace("default").withName("tls").delete();
    client.discovery().v1().endpointSlices().inNamespace("default").withName("echo-abc").delete();
    client.services().inNamespace("default").withName("echo").delete();
    assertNull(client.services().inNamespace("default").withName("echo").get());
  }

  @Test
  void namespaceAndLeaseCrud() {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata().build())
        .create();
    assertEquals("Active", client.namespaces().withName("team-a").get().getStatus().getPhase());

    var leases = client.leases().inNamespace("weir-system");
    Lease lease = new LeaseBuilder().withNewMetadata().withName("weir-controller").endMetadata()
        .withNewSpec().withHolderIdentity("a").withLeaseDurationSeconds(15).endSpec().build();
    Lease created = leases.resource(lease).create();
    Lease renewed = leases.withName("weir-controller").edit(l -> {
      l.getSpec().setHolderIdentity("b");
      return l;
    });
    assertEquals("b", renewed.getSpec().getHolderIdentity());
    created.getSpec().setHolderIdentity("c");
    assertThrows(KubernetesClientException.class, () -> leases.resource(created).update(),
        "leader election relies on the resourceVersion conflict");
    leases.withName("weir-controller").delete();
    client.namespaces().withName("team-a").delete();
    assertNull(client.namespaces().withName("team-a").get());
  }

  @Test
  void unknownKindsAndMissingObjectsAreNotFound() {
    KubernetesClientException missing = assertThrows(KubernetesClientException.class,
        () -> client.resources(ProxyRoute.class).inNamespace("default").withName("nope")
            .edit(r -> r));
    assertEquals(404, missing.getCode());
  }
}
