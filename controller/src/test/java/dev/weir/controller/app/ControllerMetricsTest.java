package dev.weir.controller.app;

import static dev.weir.controller.app.WeirControllerTest.await;
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
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
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
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics a dashboard is written against, scraped over HTTP from the admin port of a controller
 * that reconciled a ProxyRoute and an Ingress, pushed to a replica and got its ACK.
 */
@EnableKubernetesMockClient(crud = true)
class ControllerMetricsTest {
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
