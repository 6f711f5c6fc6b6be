package dev.weir.dataplane.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.Await;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.ClusterResilience.HealthCheck;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthCheckerTest {

  @Test
  void thresholdsTakeOutAndBringBack() {
    EndpointState e = new EndpointState(new InetSocketAddress("10.0.0.1", 80));
    assertFalse(e.checked(false, 3, 2));
    assertFalse(e.checked(false, 3, 2));
    assertTrue(e.healthy());
    assertTrue(e.checked(false, 3, 2));
    assertFalse(e.healthy());
    assertFalse(e.available(0));
    assertFalse(e.checked(true, 3, 2));
    assertFalse(e.checked(false, 3, 2)); // a failure resets the passes
    assertFalse(e.checked(true, 3, 2));
    assertTrue(e.checked(true, 3, 2));
    assertTrue(e.available(0));
  }

  @Test
  void statusLines() {
    assertTrue(HttpProbe.passes("HTTP/1.1 200 OK\r"));
    assertTrue(HttpProbe.passes("HTTP/1.0 302 Found"));
    assertFalse(HttpProbe.passes("HTTP/1.1 503 Service Unavailable"));
    assertFalse(HttpProbe.passes("HTTP/1.1 404 Not Found"));
    assertFalse(HttpProbe.passes("garbage"));
    assertEquals("[::1]:80", HttpProbe.hostHeader(new InetSocketAddress("::1", 80)));
  }

  @Test
  void checksARealEndpointAndReportsIt() throws Exception {
    AtomicBoolean up = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> serve(server, up, requests), "fake-backend");
      t.setDaemon(true);
      t.start();
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
      HealthCheck check = new HealthCheck("/healthz", "svc.local", 20, 500, 2, 1);
      ClusterResilience r = new ClusterResilience(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, check);
      AtomicInteger passed = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      ClusterRegistry registry = new ClusterRegistry(System::nanoTime, () -> HealthChecker.start(1, new HttpProbe()));
      registry.addListener(new EndpointListener() {
        @Override
        public void healthChecked(String cluster, InetSocketAddress endpoint, boolean success) {
          (success ? passed : failed).incrementAndGet();
        }
      });
      try {
        ClusterEndpoints c = registry.endpoints("web", List.of(address), r, false);
        registry.commit(List.of(c));
        Await.until("two passed checks", () -> passed.get() >= 2);
        assertTrue(requests.peek().startsWith("GET /healthz HTTP/1.1\r\nHost: svc.local\r\n"), requests.peek());
        EndpointState e = c.endpoints().get(0);
        assertTrue(e.healthy());
        up.set(false);
        Await.until("unhealthy", () -> !e.healthy());
        assertEquals(1, c.unhealthyCount());
        up.set(true);
        Await.until("healthy again", e::healthy);
        registry.commit(List.of(registry.endpoints("web", List.of(address), ClusterResilience.DEFAULT, false)));
        assertTrue(e.healthy());
      } finally {
        registry.close();
      }
      assertTrue(failed.get() >= 2);
    }
  }

  private static void serve(ServerSocket server, AtomicBoolean up, ConcurrentLinkedQueue<String> requests) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          head.append((char) b);
        }
        requests.add(head.toString());
        OutputStream out = s.getOutputStream();
        out.write((up.get() ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 503 Unavailable\r\n")
            .concat("Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (Exception e) {
        // closed
      }
    }
  }
}
