package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestPki;
import dev.weir.snapshot.Snapshot;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A certificate renewed again and again (as cert-manager renews a Secret) while clients keep making
 * new TLS connections and keep-alive requests: not one request fails, new handshakes get the new
 * certificate, and connections made before a renewal keep working.
 */
class CertificateRotationTest {

  static final TestPki.Ca CA = TestPki.ca("rotation CA");

  @Test
  void renewingTheCertificateUnderLoadFailsNoRequest() throws Exception {
    List<TestPki.Leaf> generations = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      generations.add(TestPki.server(CA, "shop.example.com"));
    }
    try (EchoBackend backend = EchoBackend.start("rotation-backend");
        Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().httpsPort(0).build())) {
      assertTrue(dp.config().apply(snapshot(1, generations.get(0), backend)).accepted());
      Set<BigInteger> seen = ConcurrentHashMap.newKeySet();
      AtomicInteger requests = new AtomicInteger();
      List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      ExecutorService clients = Executors.newFixedThreadPool(4);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        boolean keepAlive = t % 2 == 0;
        running.add(clients.submit(() -> {
          HttpTestClient kept = null;
          try {
            while (System.nanoTime() < deadline && failures.size() < 5) {
              try {
                if (keepAlive) {
                  if (kept == null) {
                    kept = HttpTestClient.connectTls(dp.httpsPort(), "shop.example.com");
                    seen.add(kept.peerCertificate().getSerialNumber());
                  }
                  check(kept.get("shop.example.com", "/kept"), failures);
                } else {
                  try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "shop.example.com")) {
                    seen.add(c.peerCertificate().getSerialNumber());
                    check(c.get("shop.example.com", "/new"), failures);
                  }
                }
                requests.incrementAndGet();
              } catch (RuntimeException e) {
                failures.add(e.toString());
              }
            }
          } finally {
            if (kept != null) kept.close();
          }
        }));
      }
      long version = 1;
      int renewals = 0;
      while (System.nanoTime() < deadline - Duration.ofMillis(300).toNanos()) {
        Thread.sleep(100);
        version++;
        assertTrue(dp.config().apply(snapshot(version, generations.get((int) (version % generations.size())), backend)).accepted());
        renewals++;
      }
      for (Future<?> f : running) {
        f.get();
      }
      clients.shutdown();
      assertEquals(List.of(), failures, "no request fails while the certificate is renewed");
      assertTrue(renewals >= 4, "renewed " + renewals + " times");
      assertTrue(requests.get() > 100, "requests: " + requests.get());
      assertTrue(seen.size() >= 3, "new handshakes saw " + seen.size() + " of the certificate generations");
    }
  }

  static void check(HttpTestClient.Response r, List<String> failures) {
    if (r.status() != 200) {
      failures.add("status " + r.status() + ": " + r.text());
    }
  }

  static Snapshot snapshot(long version, TestPki.Leaf certificate, EchoBackend backend) {
    return new SnapshotBuilder(version)
        .certificate(certificate.asTlsCertificate("web/shop-tls"))
        .cluster("c", backend.endpoint())
        .host("shop.example.com", "web/shop-tls").prefix("shop", "/", "c")
        .build();
  }
}
