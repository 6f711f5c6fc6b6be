package dev.weir.controller.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.controller.pki.Credentials;
import dev.weir.controller.push.ControlPeer;
import dev.weir.crds.v1alpha1.PathMatch;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteBackend;
import dev.weir.crds.v1alpha1.RouteMatch;
import dev.weir.crds.v1alpha1.RouteRule;
import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole controller against the fabric8 mock API server in CRUD mode, with a hand-written dataplane
 * peer on the control channel: objects in, snapshot out, ACK in, Programmed status out.
 */
@EnableKubernetesMockClient(crud = true)
class WeirControllerTest {
  KubernetesClient client;
  @TempDir Path caDir;
  private WeirController controller;

  @BeforeEach
  void start() throws Exception {
    try (InputStream crd = ProxyRoute.class.getResourceAsStream("/META-INF/fabric8/proxyroutes.weir.dev-v1.yml")) {
      client.resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
    }
    controller = WeirController.start(ControllerOptions.defaults().withPorts(0, 0).withCaDir(caDir)
        .withHeartbeatMillis(2000).withStatusAddresses(List.of("127.0.0.1")), client);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void routeBecomesSnapshotThenProgrammedAfterAck() throws Exception {
    client.resource(new ServiceBuilder().withNewMetadata().withName("api").withNamespace("web").endMetadata()
        .withNewSpec().addNewPort().withName("http").withPort(8080).endPort().endSpec().build()).create();
    client.resource(new EndpointSliceBuilder().withNewMetadata().withName("api-1").withNamespace("web")
        .addToLabels("kubernetes.io/service-name", "api").endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses("127.0.0.7").withNewConditions().withReady(true).endConditions().endEndpoint()
        .addNewPort().withName("http").withPort(9000).endPort().build()).create();
    client.resource(route("shop", "shop.example.com", "/api", "api", 8080)).create();

    await(() -> controller.publisher().current().map(s -> s.snapshot().virtualHosts().size() == 1).orElse(false));
    Snapshot snapshot = controller.publisher().current().orElseThrow().snapshot();
    assertEquals("shop.example.com", snapshot.virtualHosts().get(0).host());
    assertEquals("127.0.0.7", snapshot.clusters().get(0).endpoints().get(0).address());
    assertEquals(9000, snapshot.clusters().get(0).endpoints().get(0).port());

    // Over mutual TLS, with the client credentials the controller issued into the CA directory.
    Path tls = caDir.resolve("dataplane");
    Credentials issued = Credentials.parse(Files.readString(tls.resolve("tls.crt")),
        Files.readString(tls.resolve("tls.key")), Files.readString(tls.resolve("ca.crt")));
    try (ControlPeer peer = ControlPeer.tls(controller.controlPort(), issued, issued.ca())) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 0, "", ""));
      var push = assertInstanceOf(ChannelMessage.Push.class, peer.receiveSkippingHeartbeats());
      peer.send(new ChannelMessage.Ack(push.snapshot().version()));

      await(() -> programmed("shop").map(c -> c.getStatus().equals("True")).orElse(false));
      ProxyRoute stored = client.resources(ProxyRoute.class).inNamespace("web").withName("shop").get();
      assertEquals(1L, stored.getStatus().getObservedGeneration());
      assertEquals("1/1", stored.getStatus().getDataplanes().getSummary());
      assertEquals(push.snapshot().version(), stored.getStatus().getDataplanes().getVersion());
      // Transitions are told as Events too, for kubectl describe.
      await(() -> client.v1().events().inNamespace("web").list().getItems().stream()
          .anyMatch(e -> "shop".equals(e.getInvolvedObject().getName()) && "Programmed".equals(e.getReason())
              && "Normal".equals(e.getType())));

      // An edit bumps the generation; Programmed waits for the new version's ACK.
      stored.getSpec().getRules().get(0).getMatches().get(0).getPath().setValue("/v2");
      stored.getStatus().setConditions(null);
      client.resource(stored).update();
      var second = assertInstanceOf(ChannelMessage.Push.class, peer.receiveSkippingHeartbeats());
      assertTrue(second.snapshot().version() > push.snapshot().version());
      await(() -> programmed("shop").map(c -> c.getObservedGeneration() == 2 && c.getStatus().equals("False")).orElse(false));
      peer.send(new ChannelMessage.Ack(second.snapshot().version()));
      await(() -> programmed("shop").map(c -> c.getObservedGeneration() == 2 && c.getStatus().equals("True")).orElse(false));
    }
    // The peer went away: no replica left, so the route is no longer programmed anywhere.
    await(() -> programmed("shop").map(c -> c.getReason().equals("NoDataplanes")).orElse(false));
  }

  @Test
  void missingServiceIsReportedAndStatusIsNotRewrittenWhenNothingChanges() throws Exception {
    client.resource(route("lonely", "lonely.example.com", "/", "nope", 80)).create();
    await(() -> condition("lonely", "ResolvedRefs").map(c -> c.getStatus().equals("False")).orElse(false));
    Condition resolved = condition("lonely", "ResolvedRefs").orElseThrow();
    assertEquals("BackendNotFound", resolved.getReason());
    assertTrue(resolved.getMessage().contains("web/nope"), resolved.getMessage());
    long writes = controller.statusWrites();
    Thread.sleep(700);
    assertEquals(writes, controller.statusWrites(), "no writes without a change");
  }

  @Test
  void anIngressAnnotationChangeIsTranslatedThoughTheGenerationStays() throws Exception {
    client.resource(new ServiceBuilder().withNewMetadata().withName("api").withNamespace("web").endMetadata()
        .withNewSpec().addNewPort().withPort(8080).endPort().endSpec().build()).create();
    client.resource(new IngressBuilder().withNewMetadata().withName("shop").withNamespace("web").endMetadata()
        .withNewSpec().withIngressClassName("weir").addNewRule().withHost("shop.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("api")
        .withNewPort().withNumber(8080).endPort().endService().endBackend().endPath().endHttp().endRule()
        .endSpec().build()).create();
    await(() -> firstRoute().map(r -> r.policy().isDefault()).orElse(false));
    Long generation = ingress("shop").getMetadata().getGeneration();

    client.network().v1().ingresses().inNamespace("web").withName("shop").edit(i -> new IngressBuilder(i)
        .editMetadata().addToAnnotations("weir.dev/proxy-body-size", "1Mi").endMetadata().build());
    await(() -> firstRoute().map(r -> r.policy().maxRequestBodyBytes() == 1048576).orElse(false));
    assertEquals(generation, ingress("shop").getMetadata().getGeneration(), "metadata changes keep the generation");

    // An invalid annotation takes the Ingress's routes out; an Ingress has no conditions, so an Event says why.
    client.network().v1().ingresses().inNamespace("web").withName("shop").edit(i -> new IngressBuilder(i)
        .editMetadata().addToAnnotations("weir.dev/proxy-body-size", "8m").endMetadata().build());
    await(() -> controller.publisher().current().map(s -> s.snapshot().virtualHosts().isEmpty()).orElse(false));
    await(() -> client.v1().events().inNamespace("web").list().getItems().stream()
        .anyMatch(e -> "Ingress".equals(e.getInvolvedObject().getKind())
            && "shop".equals(e.getInvolvedObject().getName())
            && "Warning".equals(e.getType()) && "Invalid".equals(e.getReason())
            && e.getMessage().contains("metadata.annotations[weir.dev/proxy-body-size]: invalid size \"8m\"")));
  }

  private Ingress ingress(String name) {
    return client.network().v1().ingresses().inNamespace("web").withName(name).get();
  }

  private java.util.Optional<Route> firstRoute() {
    return controller.publisher().current()
        .flatMap(s -> s.snapshot().virtualHosts().stream().flatMap(vh -> vh.routes().stream()).findFirst());
  }

  private ProxyRoute route(String name, String host, String prefix, String service, int port) {
    ProxyRoute r = new ProxyRoute();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("web").build());
    r.getSpec().setHosts(List.of(host));
    RouteRule rule = new RouteRule();
    RouteMatch match = new RouteMatch();
    match.setPath(new PathMatch(PathMatch.Type.PathPrefix, prefix));
    rule.setMatches(new java.util.ArrayList<>(List.of(match)));
    rule.setBackends(List.of(new RouteBackend(service, port, 1)));
    r.getSpec().setRules(List.of(rule));
    return r;
  }

  private java.util.Optional<Condition> programmed(String name) {
    return condition(name, "Programmed");
  }

  private java.util.Optional<Condition> condition(String name, String type) {
    ProxyRoute r = client.resources(ProxyRoute.class).inNamespace("web").withName(name).get();
    if (r == null || r.getStatus() == null || r.getStatus().getConditions() == null) return java.util.Optional.empty();
    return r.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
      Thread.sleep(20);
    }
  }

  /**
   * The metrics a dashboard is written against, scraped over HTTP from the admin port of a controller
   * that reconciled a ProxyRoute and an Ingress, pushed to a replica and got its ACK.
   */
  @Test
  void reconcilesSnapshotsReplicasAndStatusWritesShowOnTheScrape() throws Exception {
    String before = scrape();
    assertEquals(0.0, value(before, "weir_controller_reconciles_total{kind=\"ProxyRoute\",result=\"success\"}").orElseThrow());
    assertFalse(before.contains("weir_controller_translate"), "replaced by weir_controller_snapshot_build_duration_seconds");

    client.resource(new ServiceBuilder().withNewMetadata().withName("api").withNamespace("web").endMetadata()
        .withNewSpec().addNewPort().withPort(8080).endPort().endSpec().build()).create();
    client.resource(route()).create();
    client.resource(new IngressBuilder().withNewMetadata().withName("shop").withNamespace("web").endMetadata()
        .withNewSpec().withIngressClassName("weir").addNewRule().withHost("ingress.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("api")
        .withNewPort().withNumber(8080).endPort().endService().endBackend().endPath().endHttp().endRule()
        .endSpec().build()).create();
    await(() -> controller.publisher().current().map(s -> s.snapshot().virtualHosts().size() == 2).orElse(false));

    Path tls = caDir.resolve("dataplane");
    Credentials issued = Credentials.parse(Files.readString(tls.resolve("tls.crt")),
        Files.readString(tls.resolve("tls.key")), Files.readString(tls.resolve("ca.crt")));
    long version;
    try (ControlPeer peer = ControlPeer.tls(controller.controlPort(), issued, issued.ca())) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 0, "", ""));
      var push = assertInstanceOf(ChannelMessage.Push.class, peer.receiveSkippingHeartbeats());
      version = push.snapshot().version();
      await(() -> metric("weir_controller_replica_snapshot_version{replica=\"dp-1\"}") == 0.0);
      assertEquals(0.0, metric("weir_controller_replicas_current"), "connected, nothing ACKed yet");
      peer.send(new ChannelMessage.Ack(version));
      await(() -> metric("weir_controller_replicas_current") == 1.0);
      // Programmed is written after the ACK: a ProxyRoute status write, and the Ingress's address.
      await(() -> metric("weir_controller_status_writes_total{kind=\"ProxyRoute\",result=\"success\"}") >= 1
          && metric("weir_controller_status_writes_total{kind=\"Ingress\",result=\"success\"}") >= 1);

      String text = scrape();
      assertTrue(value(text, "weir_controller_reconciles_total{kind=\"ProxyRoute\",result=\"success\"}").orElseThrow() >= 1, text);
      assertTrue(value(text, "weir_controller_reconciles_total{kind=\"Ingress\",result=\"success\"}").orElseThrow() >= 1, text);
      assertEquals(0.0, value(text, "weir_controller_reconciles_total{kind=\"Ingress\",result=\"error\"}").orElseThrow());
      assertTrue(value(text, "weir_controller_reconcile_duration_seconds_count{kind=\"ProxyRoute\"}").orElseThrow() >= 1, text);
      assertTrue(text.contains("weir_controller_reconcile_duration_seconds_bucket{kind=\"ProxyRoute\",le=\"0.001\"}"), text);
      assertTrue(value(text, "weir_controller_snapshot_build_duration_seconds_count").orElseThrow() >= 1, text);
      assertTrue(text.contains("weir_controller_snapshot_build_duration_seconds_bucket{le=\"0.1\"}"), text);
      assertTrue(value(text, "weir_controller_snapshot_bytes").orElseThrow() > 100, text);
      assertEquals((double) version, value(text, "weir_controller_snapshot_version").orElseThrow());
      assertEquals(1.0, value(text, "weir_controller_connected_replicas").orElseThrow());
      assertEquals((double) version, value(text, "weir_controller_replica_snapshot_version{replica=\"dp-1\"}").orElseThrow());
      assertEquals(0.0, value(text, "weir_controller_status_writes_total{kind=\"ProxyRoute\",result=\"error\"}").orElseThrow());
      assertTrue(value(text, "weir_controller_status_writes_total{kind=\"ProxyRoute\",result=\"conflict\"}").isPresent(), text);
      assertEquals(1.0, value(text, "weir_controller_leader").orElseThrow());
      assertNoNamespaceOrNameTags(text);
    }
    // Gone with the replica: the per-replica series set follows the connected replicas.
    await(() -> metric("weir_controller_connected_replicas") == 0.0);
    String after = scrape();
    assertFalse(after.contains("weir_controller_replica_snapshot_version{"), after);
    assertEquals(0.0, value(after, "weir_controller_replicas_current").orElseThrow());
  }

  private static void assertNoNamespaceOrNameTags(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("weir_controller_")) {
        assertFalse(line.contains("namespace=") || line.contains("name="), line);
      }
    }
  }

  private double metric(String series) {
    try {
      return value(scrape(), series).orElse(Double.NaN);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The value of the sample whose name and labels are exactly {@code series}. */
  static OptionalDouble value(String text, String series) {
    List<String> found = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) found.add(line.substring(series.length() + 1).trim());
    }
    if (found.size() > 1) throw new AssertionError("several samples " + series + ": " + found);
    return found.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(found.get(0)));
  }

  private String scrape() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.adminPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  private static ProxyRoute route() {
    ProxyRoute r = new ProxyRoute();
    r.setMetadata(new ObjectMetaBuilder().withName("shop").withNamespace("web").build());
    r.getSpec().setHosts(List.of("shop.example.com"));
    RouteRule rule = new RouteRule();
    RouteMatch match = new RouteMatch();
    match.setPath(new PathMatch(PathMatch.Type.PathPrefix, "/"));
    rule.setMatches(new ArrayList<>(List.of(match)));
    rule.setBackends(List.of(new RouteBackend("api", 8080, 1)));
    r.getSpec().setRules(List.of(rule));
    return r;
  }
}
