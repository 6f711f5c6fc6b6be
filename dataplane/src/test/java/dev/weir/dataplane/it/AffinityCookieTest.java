package dev.weir.dataplane.it;

import static dev.weir.dataplane.it.RetryFaultTest.cluster;
import static dev.weir.dataplane.it.RetryFaultTest.route;
import static dev.weir.dataplane.it.RetryFaultTest.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.FaultyBackend;
import dev.weir.dataplane.testing.FaultyBackend.Mode;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.snapshot.LoadBalancer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cookie affinity: a request without the cookie gets one (Set-Cookie); one that has it does not. */
class AffinityCookieTest {

  @Test
  void aRequestWithoutTheCookieGetsOne() throws Exception {
    try (FaultyBackend a = FaultyBackend.start("a", Mode.OK); FaultyBackend b = FaultyBackend.start("b", Mode.OK)) {
      Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().build());
      try {
        LoadBalancer lb = new LoadBalancer(LoadBalancer.Policy.RING_HASH, LoadBalancer.HashOn.COOKIE, "weir-affinity", 60);
        assertTrue(dp.config().apply(snapshot(1, List.of(cluster("c", null, a, b)), route("sticky", "c", null).withTraffic(lb, null, null))).accepted());
        try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
          Response first = c.get("sticky.test", "/");
          assertEquals(200, first.status());
          String setCookie = first.header("set-cookie");
          assertNotNull(setCookie);
          assertTrue(setCookie.matches("weir-affinity=[0-9a-f]{32}; .*Max-Age=60.*"), setCookie);
          String cookie = setCookie.substring(0, setCookie.indexOf(';'));
          Response again = c.request("GET", "sticky.test", "/", Map.of("Cookie", cookie), null);
          assertEquals(200, again.status());
          assertNull(again.header("set-cookie"), "the client has its cookie");
          System.out.println("[affinity] " + setCookie + " -> " + first.header("x-backend") + ", again " + again.header("x-backend"));
        }
      } finally {
        dp.close(Duration.ofSeconds(2));
      }
    }
  }
}
