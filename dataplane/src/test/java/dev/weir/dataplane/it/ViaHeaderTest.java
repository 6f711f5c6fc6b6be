package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.H2TestClient;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The optional Via header (RFC 9110 7.6.3), on and off. */
class ViaHeaderTest {

  static EchoBackend backend;
  static Dataplane withVia;
  static Dataplane withoutVia;

  @BeforeAll
  static void start() throws Exception {
    backend = EchoBackend.start("via");
    withVia = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).proxy(ProxySettings.defaults().withVia(true)).build());
    withoutVia = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).build());
    for (Dataplane d : new Dataplane[] {withVia, withoutVia}) {
      assertTrue(d.config().apply(new SnapshotBuilder(1).cluster("echo", backend.endpoint()).host("via.test").prefix("r", "/", "echo").build()).accepted());
    }
  }

  @AfterAll
  static void stop() {
    withVia.close(Duration.ofSeconds(1));
    withoutVia.close(Duration.ofSeconds(1));
    backend.close();
  }

  @Test
  void viaIsAddedBothWaysWhenOn() {
    HttpTestClient.Response r = HttpTestClient.get(withVia.httpPort(), "via.test", "/");
    assertEquals("1.1 weir", r.echoedHeader("via"), "the upstream sees the hop");
    assertEquals("1.1 weir", r.header("via"), "and so does the client");
  }

  @Test
  void viaIsAppendedToWhatTheClientSent() {
    try (HttpTestClient c = HttpTestClient.connect(withVia.httpPort())) {
      HttpTestClient.Response r = c.request("GET", "via.test", "/", Map.of("Via", "1.0 edge"), null);
      assertEquals("1.0 edge, 1.1 weir", r.echoedHeader("via"));
    }
  }

  @Test
  void anHttp2ClientIsNamedVersion2() {
    try (H2TestClient c = H2TestClient.connect(withVia.httpPort())) {
      H2TestClient.Response r = c.get("via.test", "/");
      assertTrue(r.text().contains("header via: 2 weir"), r.text());
    }
  }

  @Test
  void noViaByDefault() {
    HttpTestClient.Response r = HttpTestClient.get(withoutVia.httpPort(), "via.test", "/");
    assertNull(r.header("via"));
    assertFalse(r.text().contains("header via"), r.text());
  }
}
