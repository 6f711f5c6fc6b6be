package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.status;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteTimeouts;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.H2EchoBackend;
import dev.weir.dataplane.testing.H2TestClient;
import dev.weir.dataplane.testing.HttpTestClient;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole loop for what a route asks of the dataplane beyond routing: a gRPC backend (a Service
 * port with {@code appProtocol: kubernetes.io/h2c}) reached over HTTP/2 with its trailers, and a
 * rule's body limit and idle timeout.
 */
class GrpcAndLimitsE2ETest {
  static WeirSystem system;
  static H2EchoBackend grpc;

  @BeforeAll
  static void start() throws Exception {
    system = WeirSystem.start(2);
    grpc = H2EchoBackend.start("greeter", 1000, WeirSystem.backendAddress());
  }

  @AfterAll
  static void stop() {
    if (system != null) system.close();
    if (grpc != null) grpc.close();
  }

  static byte[] grpcFrame(String payload) {
    byte[] p = payload.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(5 + p.length).put((byte) 0).putInt(p.length).put(p).array();
  }

  @Test
  void aGrpcServiceIsReachedOverHttp2WithItsTrailers() {
    String ns = system.namespace();
    system.client().resource(new ServiceBuilder().withNewMetadata().withName("greeter").withNamespace(ns).endMetadata()
            .withNewSpec().addNewPort().withName("grpc").withPort(50051).withAppProtocol("kubernetes.io/h2c").withNewTargetPort(50051).endPort().endSpec().build())
        .createOr(NonDeletingOperation::update);
    system.client().resource(new EndpointSliceBuilder()
            .withNewMetadata().withName("greeter-0").withNamespace(ns).addToLabels("kubernetes.io/service-name", "greeter").endMetadata()
            .withAddressType("IPv4")
            .withEndpoints(new EndpointBuilder().withAddresses(WeirSystem.backendAddress()).withNewConditions().withReady(true).endConditions().build())
            .addNewPort().withName("grpc").withPort(grpc.port()).withProtocol("TCP").endPort()
            .build())
        .createOr(NonDeletingOperation::update);
    ProxyRoute route = system.route("greeter", "grpc.example.com", "/helloworld.Greeter", "greeter");
    route.getSpec().getRules().get(0).getBackends().get(0).setPort(50051); // no protocol: the port's appProtocol says h2c
    system.apply(route);

    byte[] message = grpcFrame("hello from e2e");
    for (Dataplane d : system.dataplanes()) {
      try (H2TestClient c = H2TestClient.connect(d.httpPort())) {
        Map<String, String> headers = Map.of("content-type", "application/grpc", "te", "trailers");
        Await.until("replica " + d.replicaId() + " reaching the gRPC backend", Duration.ofSeconds(10), () -> {
          H2TestClient.Response r = c.request("POST", "grpc.example.com", "/helloworld.Greeter/SayHello", headers, message);
          return r.status() == 200 && "greeter".equals(r.header("x-backend"));
        });
        H2TestClient.Response r = c.request("POST", "grpc.example.com", "/helloworld.Greeter/SayHello", headers, message);
        assertArrayEquals(message, r.body());
        assertNotNull(r.trailers(), "trailers through");
        assertEquals("0", r.trailers().get("grpc-status").toString());
        assertEquals("trailers", r.header("x-seen-te"));
      }
    }
    system.awaitCondition("greeter", "Programmed", c -> c.getStatus().equals("True"));
  }

  @Test
  void aRulesBodyLimitAndIdleTimeoutAreEnforcedByEveryReplica() {
    system.backend("limited");
    ProxyRoute route = system.route("limited", "limited.example.com", "/", "limited");
    route.getSpec().getRules().get(0).setMaxRequestBodySize("1Ki");
    route.getSpec().getRules().get(0).setTimeouts(new RouteTimeouts(null, null, "300ms"));
    system.apply(route);
    system.awaitEveryReplica("limited.example.com", "/hang", status(504), Duration.ofSeconds(10));
    for (Dataplane d : system.dataplanes()) {
      try (HttpTestClient c = HttpTestClient.connect(d.httpPort())) {
        assertEquals(413, c.request("POST", "limited.example.com", "/up", Map.of(), new byte[2048]).status());
      }
      try (HttpTestClient c = HttpTestClient.connect(d.httpPort())) {
        assertEquals(200, c.request("POST", "limited.example.com", "/up", Map.of(), new byte[1024]).status());
      }
    }
  }
}
