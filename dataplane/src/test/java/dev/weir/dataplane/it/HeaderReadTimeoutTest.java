package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Slowloris: a client that trickles its request head is answered 408 and closed, over real sockets. */
class HeaderReadTimeoutTest {

  static EchoBackend backend;

  @BeforeAll
  static void startBackend() {
    backend = EchoBackend.start("head-timeout");
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  @Test
  void aClientTricklingItsHeadGets408AndEofWhileOthersAreServed() throws Exception {
    // The idle timeout is long and never fires: a byte arrives every 50 ms.
    ProxySettings settings = ProxySettings.defaults().withHeaderReadTimeout(Duration.ofMillis(300)).withClientIdleTimeout(Duration.ofSeconds(30));
    try (Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).proxy(settings).build());
        HttpTestClient slow = HttpTestClient.connect(dp.httpPort())) {
      assertTrue(dp.config().apply(new SnapshotBuilder(1).cluster("c", backend.endpoint()).host("a.test").prefix("r", "/", "c").build()).accepted());
      slow.setReadTimeoutMillis(5_000);
      long start = System.nanoTime();
      slow.writeRaw("GET / HTTP/1.1\r\nHost: a".getBytes(StandardCharsets.US_ASCII));
      Thread trickler =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 200 && !Thread.currentThread().isInterrupted(); i++) {
                    Thread.sleep(50);
                    slow.writeRaw(new byte[] {'a'});
                  }
                } catch (InterruptedException | RuntimeException e) {
                  // stopped, or the proxy closed the connection
                }
              },
              "trickler");
      trickler.setDaemon(true);
      trickler.start();
      try {
        // Meanwhile a well-behaved client on another connection is served.
        HttpTestClient.Response ok = HttpTestClient.get(dp.httpPort(), "a.test", "/hello");
        assertEquals(200, ok.status());

        HttpTestClient.Response r = slow.readResponse(false);
        assertEquals(408, r.status());
        assertEquals("close", r.header("connection"));
        assertTrue(slow.awaitClosedByServer(), "no EOF after the 408");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 250 && ms < 2_000, "took " + ms + " ms");
      } finally {
        trickler.interrupt();
        trickler.join(2_000);
      }

      // The timeout applies per request head: a prompt client on a new connection is unaffected.
      try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
        assertEquals(200, c.get("a.test", "/one").status());
        Thread.sleep(200);
        assertEquals(200, c.get("a.test", "/two").status());
      }
    }
  }
}
