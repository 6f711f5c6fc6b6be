package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that do not read their responses: the proxy must neither buffer for them without limit
 * nor let them hold an exchange and its upstream connection forever.
 */
class SlowClientTest {

  static EchoBackend backend;

  @BeforeAll
  static void startBackend() {
    backend = EchoBackend.start("slow");
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  static Dataplane start(ProxySettings settings) throws Exception {
    Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).proxy(settings).build());
    assertTrue(
        dp.config()
            .apply(new dev.weir.dataplane.testing.SnapshotBuilder(1).cluster("c", backend.endpoint()).host("a.test").prefix("r", "/", "c").build())
            .accepted());
    return dp;
  }

  @Test
  void aPipeliningClientThatPausesReadingGetsEveryResponseInOrderLater() throws Exception {
    // More response bytes than the socket buffers hold, so the proxy's side of the connection
    // becomes unwritable and must take up the queued requests again once the client reads.
    // (FrontendHandlerTest checks that nothing more is read or started meanwhile.)
    int n = 100; // below the codec's limit of 128 requests awaiting a response
    int size = 64 * 1024;
    try (Dataplane dp = start(ProxySettings.defaults());
        HttpTestClient c = HttpTestClient.connect(dp.httpPort(), 4096)) {
      int before = backend.requests();
      Thread writer = pipeline(c, n, i -> "GET /bytes/" + (size + i) + " HTTP/1.1\r\nHost: a.test\r\n\r\n");
      int reached = settled(() -> backend.requests() - before);
      assertTrue(reached > 0, "nothing proxied");
      for (int i = 0; i < n; i++) {
        assertEquals(size + i, c.readResponse(false).body().length, "response " + i);
      }
      writer.join(5_000);
      assertEquals(n, backend.requests() - before);
    }
  }

  @Test
  void aClientThatStopsReadingMidResponseIsClosedAndTheUpstreamReleased() throws Exception {
    Duration idle = Duration.ofMillis(300);
    Await.until("no upstream connections left from other tests", () -> backend.openConnections() == 0);
    int upstreamBefore = 0;
    try (Dataplane dp = start(ProxySettings.defaults().withClientIdleTimeout(idle).withResponseTimeout(Duration.ofSeconds(30)));
        Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new InetSocketAddress("127.0.0.1", dp.httpPort()), 5_000);
      // Far more than the socket buffers hold; the backend writes with backpressure, so only what
      // fits in the buffers along the way is ever produced.
      int n = 64 * 1024 * 1024;
      s.getOutputStream().write(("GET /bytes/" + n + " HTTP/1.1\r\nHost: a.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Await.until("the response under way", Duration.ofSeconds(5), () -> backend.openConnections() > upstreamBefore);
      long start = System.nanoTime();
      // Not reading: after the idle timeout the exchange is aborted, and its upstream connection
      // closed (not pooled: its response is unfinished).
      Await.until("the upstream connection closed", Duration.ofSeconds(5), () -> backend.openConnections() == upstreamBefore);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 3_000, "took " + ms + " ms");
      Await.until("the client connection closed", Duration.ofSeconds(5), () -> dp.metrics().activeConnections() == 0);
      // What was already on its way arrives, then the end of the stream, short of the whole body.
      s.setSoTimeout(5_000);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64 * 1024];
      long got = 0;
      try {
        for (int r; (r = in.read(buf)) != -1; ) {
          got += r;
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the proxy did not close the client connection", e);
      } catch (IOException e) {
        // reset: closed as well
      }
      assertTrue(got < n, "got " + got);
    }
  }

  /** Writes n requests on another thread (it blocks once the proxy stops reading); its progress does not matter. */
  private static Thread pipeline(HttpTestClient c, int n, IntFunction<String> request) {
    Thread t =
        new Thread(
            () -> {
              StringBuilder batch = new StringBuilder();
              try {
                for (int i = 0; i < n; i++) {
                  batch.append(request.apply(i));
                  if (batch.length() > 8 * 1024 || i == n - 1) {
                    c.writeRaw(batch.toString().getBytes(StandardCharsets.US_ASCII));
                    batch.setLength(0);
                  }
                }
              } catch (RuntimeException e) {
                // the connection closed under the writer: the test's assertions tell what went wrong
              }
            },
            "pipelining-client");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The value once it stopped changing for half a second (at most 10 s). */
  private static int settled(IntSupplier value) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int last = value.getAsInt();
    long stableSince = System.nanoTime();
    while (System.nanoTime() < end) {
      Thread.sleep(50);
      int v = value.getAsInt();
      if (v != last) {
        last = v;
        stableSince = System.nanoTime();
      } else if (v > 0 && System.nanoTime() - stableSince >= 500_000_000L) {
        return v;
      }
    }
    return last;
  }
}
