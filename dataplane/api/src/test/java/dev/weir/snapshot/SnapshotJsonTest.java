package dev.weir.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotJsonTest {

  private static Snapshot snapshot(RoutePolicy policy, UpstreamProtocol protocol) {
    Route route = new Route("r", "ProxyRoute/ns/r", new PathMatch(PathMatch.Type.PREFIX, "/"), List.of(), null, List.of(new WeightedCluster("ns/svc:80", 1)), policy);
    Cluster cluster = new Cluster("ns/svc:80", List.of(new Endpoint("127.0.0.1", 8080)), protocol);
    return new Snapshot(7, "", List.of(new VirtualHost("a.example", List.of(route), null)), List.of(cluster), List.of());
  }

  @Test
  void policyAndProtocolSurviveARoundTrip() {
    Snapshot s = snapshot(new RoutePolicy(15_000, 2_000, 0, 1 << 20), UpstreamProtocol.H2C);
    Snapshot back = SnapshotJson.readSnapshot(SnapshotJson.writeSnapshot(s));
    assertEquals(s, back);
    String json = new String(SnapshotJson.writeSnapshot(s), StandardCharsets.UTF_8);
    assertFalse(json.contains("idleTimeoutMillis"), "zero values are left out: " + json);
    assertTrue(json.contains("\"H2C\""), json);
  }

  @Test
  void defaultsAreLeftOutAndComeBackAsDefaults() {
    Snapshot s = snapshot(RoutePolicy.DEFAULT, UpstreamProtocol.HTTP1);
    String json = new String(SnapshotJson.writeSnapshot(s), StandardCharsets.UTF_8);
    assertFalse(json.contains("policy"), json);
    assertFalse(json.contains("protocol"), json);
    Snapshot back = SnapshotJson.readSnapshot(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(RoutePolicy.DEFAULT, back.virtualHosts().get(0).routes().get(0).policy());
    assertEquals(UpstreamProtocol.HTTP1, back.clusters().get(0).protocol());
  }

  @Test
  void negativePolicyValuesAreRefusedWithAReason() {
    String json = new String(SnapshotJson.writeSnapshot(snapshot(RoutePolicy.DEFAULT, null)), StandardCharsets.UTF_8)
        .replace("\"owner\"", "\"policy\" : {\"maxRequestBodyBytes\": -1}, \"owner\"");
    assertTrue(json.contains("-1"), json);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SnapshotJson.readSnapshot(json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("must not be negative"), e.getMessage());
  }

  @Test
  void anHttpsRedirectSurvivesARoundTripAndOnlyRedirectCodesAreAccepted() {
    Snapshot s = snapshot(RoutePolicy.DEFAULT.withHttpsRedirect(308), UpstreamProtocol.HTTP1);
    assertEquals(s, SnapshotJson.readSnapshot(SnapshotJson.writeSnapshot(s)));
    assertThrows(IllegalArgumentException.class, () -> RoutePolicy.DEFAULT.withHttpsRedirect(200));
  }

  @Test
  void upstreamTlsSurvivesARoundTripAndIsLeftOutWhenNull() {
    UpstreamTls tls = new UpstreamTls("api.web.svc", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n", true);
    Cluster cluster = new Cluster("ns/svc:80/tls", List.of(new Endpoint("127.0.0.1", 8443)), UpstreamProtocol.H2C, tls);
    Snapshot s = new Snapshot(7, "", List.of(), List.of(cluster), List.of());
    Snapshot back = SnapshotJson.readSnapshot(SnapshotJson.writeSnapshot(s));
    assertEquals(s, back);
    assertEquals(tls, back.clusters().get(0).tls());
    String plain = new String(SnapshotJson.writeSnapshot(snapshot(RoutePolicy.DEFAULT, UpstreamProtocol.HTTP1)), StandardCharsets.UTF_8);
    assertFalse(plain.contains("tls"), plain);
    assertFalse(tls.toString().contains("BEGIN"), "no PEM in log lines");
  }

  @Test
  void cacheAndCompressionSurviveARoundTripAnEmptyStatusHeaderIncluded() {
    Snapshot base = snapshot(RoutePolicy.DEFAULT, UpstreamProtocol.HTTP1);
    Route route = base.virtualHosts().get(0).routes().get(0);
    for (CachePolicy cache : List.of(CachePolicy.DEFAULT, new CachePolicy(0, "", null),
        new CachePolicy(4096, "X-Edge", new CachePolicy.Purge(3, List.of("/a?b=c"))))) {
      CompressionPolicy compression = new CompressionPolicy(List.of("gzip"), 1, List.of("text/*"));
      Snapshot s = new Snapshot(7, "", List.of(new VirtualHost("a.example", List.of(route.withCaching(cache, compression)), null)),
          base.clusters(), List.of());
      Route back = SnapshotJson.readSnapshot(SnapshotJson.writeSnapshot(s)).virtualHosts().get(0).routes().get(0);
      assertEquals(cache, back.cache());
      assertEquals(cache.statusHeaderName(), back.cache().statusHeaderName());
      assertEquals(compression, back.compression());
    }
  }
}
