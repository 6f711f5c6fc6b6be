package dev.weir.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.local.LocalCluster;
import dev.weir.local.LocalOptions;
import dev.weir.local.ReplicaProcess;
import dev.weir.crds.v1alpha1.ProxyRoute;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What `bin/weir local` runs: replicas as processes sharing one port, the examples applied and programmed. */
class LocalModeE2ETest {

  @Test
  void localModeServesTheExamplesThroughReplicaProcessesSharingOnePort() throws Exception {
    assumeFalse(WeirSystem.realCluster(), "local mode brings its own API server");
    int http;
    try (ServerSocket s = new ServerSocket(0)) {
      http = s.getLocalPort();
    }
    Path state = Files.createTempDirectory("weir-local");
    LocalOptions options = new LocalOptions("127.0.0.1", http, 0, 0, null, 2, true, Path.of("../examples"), state);
    Set<String> backends = new HashSet<>();
    try (LocalCluster cluster = LocalCluster.start(options)) {
      assertEquals(2, cluster.replicas().size());
      // The replicas dial over mutual TLS with the credentials the controller issued under the state dir.
      for (String f : new String[] {"ca/ca.crt", "ca/ca.key", "ca/dataplane/tls.crt", "ca/dataplane/tls.key"}) {
        assertTrue(Files.isRegularFile(state.resolve(f)), f);
      }
      for (int[] ports : cluster.replicaPorts()) assertEquals(http, ports[0], "every replica listens on the shared port");

      var client = cluster.api().client();
      Await.until("examples programmed on both replicas", Duration.ofSeconds(20), () -> {
        ProxyRoute shop = client.resources(ProxyRoute.class).inNamespace("default").withName("shop").get();
        return shop != null && shop.getStatus() != null && shop.getStatus().getDataplanes() != null
            && "2/2".equals(shop.getStatus().getDataplanes().getSummary());
      });
      // New connections are spread over the replicas by the kernel; all of them route the same way.
      for (int i = 0; i < 40; i++) {
        HttpTestClient.Response r = HttpTestClient.get(http, "shop.example.com", "/api/orders");
        assertEquals(200, r.status());
        assertEquals("echo-b", r.header("X-Backend"));
        backends.add(HttpTestClient.get(http, "shop.example.com", "/").header("X-Backend"));
      }
      assertEquals(Set.of("echo-a", "echo-b"), backends, "the 90/10 split reaches both backends");
      assertEquals("echo-a", HttpTestClient.get(http, "hello.example.com", "/").header("X-Backend"));
      assertTrue(Files.exists(options.kubeconfigPath()), "kubeconfig written for kubectl");

      for (ReplicaProcess p : cluster.replicas()) assertTrue(p.isAlive());
      Set<ReplicaProcess> replicas = new HashSet<>(cluster.replicas());
      cluster.close();
      for (ReplicaProcess p : replicas) assertFalse(p.isAlive(), "stopping local mode stops every replica");
    }
  }
}
