package dev.weir.dataplane.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.compress.ContentCoding;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.H2TestClient;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.dataplane.testing.ScriptedOrigin;
import dev.weir.dataplane.testing.ScriptedOrigin.Reply;
import dev.weir.snapshot.CachePolicy;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.CompressionPolicy;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dataplane's HTTP cache on real sockets: a scripted origin on loopback, the proxy in front, and
 * for each RFC 9111 rule two requests to one URL, asserting what the second got (status, X-Cache)
 * and how many requests reached the origin. Then collapsed forwarding, stale-while-revalidate,
 * stale-if-error, purges (admin endpoint, and a snapshot reaching two replicas), the byte bound, and
 * compressed variants.
 */
class CacheProxyTest {

  static final String HOST = "cache.test";
  static ScriptedOrigin origin;
  static Dataplane dp;
  static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  static String httpDate(ZonedDateTime t) {
    return HTTP_DATE.format(t.withZoneSameInstant(ZoneOffset.UTC));
  }

  static Route cachedRoute(String name, CachePolicy cache, CompressionPolicy compression) {
    return new Route(name, "test", PathMatch.prefix("/"), List.of(), null, List.of(new WeightedCluster("origin", 1)))
        .withCaching(cache, compression);
  }

  static Snapshot snapshot(long version, CachePolicy cache) {
    return new Snapshot(version, "", List.of(
        new VirtualHost(HOST, List.of(cachedRoute("cached", cache, null)), null, null),
        new VirtualHost("zip.test", List.of(cachedRoute("cached-zip", CachePolicy.DEFAULT, CompressionPolicy.DEFAULT)), null, null),
        new VirtualHost("small.test", List.of(cachedRoute("small-objects", new CachePolicy(1000, "X-Weir-Cache", null), null)), null, null),
        new VirtualHost("redirect.test", List.of(cachedRoute("redirecting", cache, null)
            .withPolicy(dev.weir.snapshot.RoutePolicy.DEFAULT.withHttpsRedirect(308))), null, null),
        new VirtualHost("plain.test", List.of(new Route("plain", "test", PathMatch.prefix("/"), List.of(), null,
            List.of(new WeightedCluster("origin", 1)))), null, null)),
        List.of(new Cluster("origin", List.of(origin.endpoint()), UpstreamProtocol.HTTP1, null, null)), List.of(), null).withComputedHash();
  }

  @BeforeAll
  static void start() throws Exception {
    origin = ScriptedOrigin.start();
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(2).cacheSizeBytes(8L << 20).build());
    assertTrue(dp.config().apply(snapshot(1, CachePolicy.DEFAULT)).accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    origin.close();
  }

  static Response get(String host, String path, Map<String, String> headers) {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      return c.request("GET", host, path, headers, null);
    }
  }

  /** The origin's answer: the scripted headers, and 304 when the request's If-None-Match names the ETag. */
  static Reply reply(int status, String body, List<String> headers, ScriptedOrigin.Seen seen) {
    String etag = null;
    for (int i = 0; i + 1 < headers.size(); i += 2) {
      if (headers.get(i).equalsIgnoreCase("ETag")) {
        etag = headers.get(i + 1);
      }
    }
    String inm = seen.header("If-None-Match");
    if (etag != null && inm != null && inm.contains(etag)) {
      return new Reply(304, headers, new byte[0], 0);
    }
    return new Reply(status, headers, body.getBytes(), 0);
  }

  static final AtomicInteger PATHS = new AtomicInteger();

  static Arguments rule(String name, int status, List<String> originHeaders, Map<String, String> first, Map<String, String> second,
      int wantStatus, String wantXCache, int wantOriginRequests) {
    return Arguments.of(name, status, originHeaders, first, second, wantStatus, wantXCache, wantOriginRequests);
  }

  static Stream<Arguments> rules() {
    String lastModified = httpDate(ZonedDateTime.now().minusDays(10));
    String expires = httpDate(ZonedDateTime.now().plusHours(1));
    Map<String, String> none = Map.of();
    return Stream.of(
        rule("§5.2.2.1 max-age: fresh, a hit", 200, List.of("Cache-Control", "max-age=60"), none, none, 200, "HIT", 1),
        rule("§5.2.2.10 s-maxage wins over max-age in a shared cache", 200, List.of("Cache-Control", "max-age=0, s-maxage=60"), none, none, 200, "HIT", 1),
        rule("§5.3 Expires in the future", 200, List.of("Expires", expires), none, none, 200, "HIT", 1),
        rule("§4.2.2 heuristic freshness from Last-Modified", 200, List.of("Last-Modified", lastModified), none, none, 200, "HIT", 1),
        rule("§4.2.2 no freshness and no validator: nothing to reuse", 200, List.of(), none, none, 200, "MISS", 2),
        rule("§5.2.2.5 response no-store", 200, List.of("Cache-Control", "no-store, max-age=60"), none, none, 200, "MISS", 2),
        rule("§5.2.2.7 private is not for a shared cache", 200, List.of("Cache-Control", "private, max-age=60"), none, none, 200, "MISS", 2),
        rule("§5.2.2.4 no-cache: revalidated on every use", 200, List.of("Cache-Control", "no-cache", "ETag", "\"a\""), none, none, 200, "REVALIDATED", 2),
        rule("§5.2.1.5 request no-store: not stored", 200, List.of("Cache-Control", "max-age=60"), Map.of("Cache-Control", "no-store"), none, 200, "MISS", 2),
        rule("§3.5 Authorization: not stored", 200, List.of("Cache-Control", "max-age=60"), Map.of("Authorization", "Basic eDp5"),
            Map.of("Authorization", "Basic eDp5"), 200, "MISS", 2),
        rule("§3.5 Authorization with public: stored", 200, List.of("Cache-Control", "public, max-age=60"), Map.of("Authorization", "Basic eDp5"),
            Map.of("Authorization", "Basic eDp5"), 200, "HIT", 1),
        rule("policy: a response with Set-Cookie is never shared", 200, List.of("Cache-Control", "max-age=60", "Set-Cookie", "s=1"), none, none, 200, "MISS", 2),
        rule("§4.1 Vary: * never matches", 200, List.of("Cache-Control", "max-age=60", "Vary", "*"), none, none, 200, "MISS", 2),
        rule("§4.1 Vary: the same Accept-Language", 200, List.of("Cache-Control", "max-age=60", "Vary", "Accept-Language"),
            Map.of("Accept-Language", "en"), Map.of("Accept-Language", "en"), 200, "HIT", 1),
        rule("§4.1 Vary: another Accept-Language", 200, List.of("Cache-Control", "max-age=60", "Vary", "Accept-Language"),
            Map.of("Accept-Language", "en"), Map.of("Accept-Language", "fr"), 200, "MISS", 2),
        rule("§3 a 404 with max-age is stored", 404, List.of("Cache-Control", "max-age=60"), none, none, 404, "HIT", 1),
        rule("§4.3.2 a client's If-None-Match answered from the cache", 200, List.of("Cache-Control", "max-age=60", "ETag", "\"v7\""),
            none, Map.of("If-None-Match", "\"v7\""), 304, "HIT", 1),
        rule("§4.3.2 a client's If-Modified-Since answered from the cache", 200, List.of("Cache-Control", "max-age=60", "Last-Modified", lastModified),
            none, Map.of("If-Modified-Since", lastModified), 304, "HIT", 1),
        rule("§5.2.1.4 request no-cache: revalidate", 200, List.of("Cache-Control", "max-age=60", "ETag", "\"n\""),
            none, Map.of("Cache-Control", "no-cache"), 200, "REVALIDATED", 2),
        rule("§5.2.1.1 request max-age=0 on a response 5 s old: revalidate", 200, List.of("Cache-Control", "max-age=60", "Age", "5", "ETag", "\"m\""),
            none, Map.of("Cache-Control", "max-age=0"), 200, "REVALIDATED", 2),
        rule("§4.2.3 an upstream Age past max-age: stale, revalidate", 200, List.of("Cache-Control", "max-age=60", "Age", "100", "ETag", "\"o\""),
            none, none, 200, "REVALIDATED", 2),
        rule("§4.3.1 a stale response without validators is fetched again", 200, List.of("Cache-Control", "max-age=60", "Age", "100"),
            none, none, 200, "MISS", 2),
        rule("§4.4 Range requests bypass the cache", 200, List.of("Cache-Control", "max-age=60"), none, Map.of("Range", "bytes=0-3"), 200, "BYPASS", 2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void rfc9111(String name, int status, List<String> originHeaders, Map<String, String> first, Map<String, String> second,
      int wantStatus, String wantXCache, int wantOriginRequests) {
    String path = "/rule/" + PATHS.incrementAndGet();
    String body = "body of " + path + " (" + name + ")";
    origin.on(path, seen -> reply(status, body, originHeaders, seen));
    Response one = get(HOST, path, first);
    assertEquals(status, one.status(), name);
    assertEquals(body, one.text(), name);
    Response two = get(HOST, path, second);
    assertEquals(wantStatus, two.status(), name + ": status of the second answer");
    assertEquals(wantXCache, two.header("x-cache"), name + ": X-Cache of the second answer " + two.headers());
    assertEquals(wantOriginRequests, origin.count(path), name + ": requests that reached the origin");
    if (wantStatus == 200 && !second.containsKey("Range")) {
      assertEquals(body, two.text(), name + ": the body");
    }
    if ("HIT".equals(wantXCache)) {
      assertNotNull(two.header("age"), name + ": a hit says its Age");
    }
    if ("REVALIDATED".equals(wantXCache)) {
      assertNotNull(origin.last(path).header("If-None-Match"), name + ": the revalidation sent the stored ETag");
    }
  }

  @Test
  void headIsAnsweredFromAStoredGet() {
    origin.on("/head", seen -> Reply.of(200, "0123456789", "Cache-Control", "max-age=60", "Content-Type", "text/plain"));
    assertEquals("MISS", get(HOST, "/head", Map.of()).header("x-cache"));
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      Response head = c.request("HEAD", HOST, "/head", Map.of(), null);
      assertEquals(200, head.status());
      assertEquals("HIT", head.header("x-cache"));
      assertEquals("10", head.header("content-length"));
      assertEquals(0, head.body().length);
      assertEquals("0123456789", c.get(HOST, "/head").text(), "the connection goes on after a HEAD hit");
    }
    assertEquals(1, origin.count("/head"));
  }

  @Test
  void anUnsafeMethodInvalidatesTheUrl() {
    origin.on("/item", seen -> Reply.of(200, "item " + seen.method(), "Cache-Control", "max-age=60"));
    get(HOST, "/item", Map.of());
    assertEquals("HIT", get(HOST, "/item", Map.of()).header("x-cache"));
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      assertEquals(200, c.request("POST", HOST, "/item", Map.of(), "x".getBytes()).status());
    }
    assertEquals("MISS", get(HOST, "/item", Map.of()).header("x-cache"), "§4.4: a successful POST invalidates");
    assertEquals(3, origin.count("/item"));
  }

  @Test
  void keepAliveHitsAndMissesInTurn() {
    origin.on("/ka", seen -> Reply.of(200, "ka", "Cache-Control", "max-age=60"));
    origin.on("/ka-nostore", seen -> Reply.of(200, "nostore", "Cache-Control", "no-store"));
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 10; i++) {
        Response r = c.get(HOST, i % 2 == 0 ? "/ka" : "/ka-nostore");
        assertEquals(200, r.status());
        assertEquals(i % 2 == 0 ? "ka" : "nostore", r.text());
      }
    }
    assertEquals(1, origin.count("/ka"));
    assertEquals(5, origin.count("/ka-nostore"));
  }

  @Test
  void oneHundredConcurrentMissesMakeOneUpstreamRequest() throws Exception {
    origin.on("/slow", seen -> Reply.of(200, "slow answer", "Cache-Control", "max-age=60").delayed(400));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(100);
    Map<String, Integer> byResult = new HashMap<>();
    try {
      List<CompletableFuture<Response>> all = new ArrayList<>();
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      for (int i = 0; i < 100; i++) {
        all.add(CompletableFuture.supplyAsync(() -> {
          try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
            go.await();
            return c.get(HOST, "/slow");
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }, pool));
      }
      go.countDown();
      for (CompletableFuture<Response> f : all) {
        Response r = f.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("slow answer", r.text());
        byResult.merge(String.valueOf(r.header("x-cache")), 1, Integer::sum);
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println("[cache] 100 concurrent misses: origin requests=" + origin.count("/slow") + " answers=" + byResult
        + " collapsed=" + dp.caching().flights().collapsed());
    assertEquals(1, origin.count("/slow"), "collapsed into one upstream request");
  }

  @Test
  void staleWhileRevalidateAnswersAtOnceAndFreshensInTheBackground() {
    AtomicInteger version = new AtomicInteger(1);
    origin.on("/swr", seen -> {
      if (seen.header("If-None-Match") != null) {
        return new Reply(304, List.of("Cache-Control", "max-age=60, stale-while-revalidate=600", "ETag", "\"s1\""), new byte[0], 0);
      }
      return Reply.of(200, "v" + version.get(), "Cache-Control", "max-age=60, stale-while-revalidate=600", "Age", "100", "ETag", "\"s1\"");
    });
    assertEquals("MISS", get(HOST, "/swr", Map.of()).header("x-cache"));
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      Response stale = c.get(HOST, "/swr");
      assertEquals("STALE", stale.header("x-cache"));
      assertEquals("v1", stale.text());
      Await.until("the background revalidation reached the origin", () -> origin.count("/swr") == 2);
      assertNotNull(origin.last("/swr").header("If-None-Match"));
      Await.until("the entry is fresh again", () -> "HIT".equals(c.get(HOST, "/swr").header("x-cache")));
    }
    assertEquals(2, origin.count("/swr"));
  }

  @Test
  void staleIfErrorServesTheStoredResponseWhenTheOriginFails() {
    AtomicInteger failing = new AtomicInteger();
    origin.on("/sie", seen -> failing.get() > 0 ? Reply.of(503, "down")
        : Reply.of(200, "kept", "Cache-Control", "max-age=60, stale-if-error=600", "Age", "100", "ETag", "\"e\""));
    origin.on("/mr", seen -> failing.get() > 0 ? Reply.of(503, "down")
        : Reply.of(200, "must", "Cache-Control", "max-age=60, must-revalidate, stale-if-error=600", "Age", "100", "ETag", "\"m\""));
    assertEquals("kept", get(HOST, "/sie", Map.of()).text());
    assertEquals("must", get(HOST, "/mr", Map.of()).text());
    failing.set(1);
    Response stale = get(HOST, "/sie", Map.of());
    assertEquals(200, stale.status());
    assertEquals("STALE", stale.header("x-cache"));
    assertEquals("kept", stale.text());
    Response mustRevalidate = get(HOST, "/mr", Map.of());
    assertEquals(503, mustRevalidate.status(), "§5.2.2.2 must-revalidate: never served stale");
  }

  @Test
  void onlyIfCachedMissIs504() {
    Response r = get(HOST, "/never-stored", Map.of("Cache-Control", "only-if-cached"));
    assertEquals(504, r.status());
    assertEquals(0, origin.count("/never-stored"));
  }

  @Test
  void purgeByUrlAndByRouteThroughTheAdminPort() throws Exception {
    origin.on("/p1", seen -> Reply.of(200, "p1", "Cache-Control", "max-age=60"));
    origin.on("/p2", seen -> Reply.of(200, "p2", "Cache-Control", "max-age=60"));
    get(HOST, "/p1", Map.of());
    get(HOST, "/p2?x=1", Map.of());
    assertEquals("HIT", get(HOST, "/p1", Map.of()).header("x-cache"));
    HttpClient admin = HttpClient.newHttpClient();
    HttpResponse<String> purged = admin.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.adminPort()
        + "/cache/purge?host=" + HOST + "&path=/p1")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, purged.statusCode());
    assertEquals("{\"removed\":1}", purged.body().trim());
    assertEquals("MISS", get(HOST, "/p1", Map.of()).header("x-cache"));
    assertEquals("HIT", get(HOST, "/p2?x=1", Map.of()).header("x-cache"), "other URLs stay");
    HttpResponse<String> route = admin.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.adminPort()
        + "/cache/purge?route=cached")).method("PURGE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, route.statusCode());
    assertEquals("MISS", get(HOST, "/p2?x=1", Map.of()).header("x-cache"));
    assertEquals(405, admin.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.adminPort() + "/cache/purge?route=cached"))
        .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void aPurgeInTheSnapshotReachesEveryReplica() throws Exception {
    origin.on("/everywhere", seen -> Reply.of(200, "everywhere", "Cache-Control", "max-age=60"));
    origin.on("/kept", seen -> Reply.of(200, "kept", "Cache-Control", "max-age=60"));
    try (Dataplane a = Dataplane.start(DataplaneOptions.ephemeral().build());
        Dataplane b = Dataplane.start(DataplaneOptions.ephemeral().build())) {
      for (Dataplane d : List.of(a, b)) {
        assertTrue(d.config().apply(snapshot(1, new CachePolicy(0, null, new CachePolicy.Purge(1, List.of())))).accepted());
        for (String p : List.of("/everywhere", "/kept")) {
          HttpTestClient.get(d.httpPort(), HOST, p);
          assertEquals("HIT", HttpTestClient.get(d.httpPort(), HOST, p).header("x-cache"));
        }
      }
      for (Dataplane d : List.of(a, b)) {
        assertTrue(d.config().apply(snapshot(2, new CachePolicy(0, null, new CachePolicy.Purge(2, List.of("/everywhere"))))).accepted());
        assertEquals("MISS", HttpTestClient.get(d.httpPort(), HOST, "/everywhere").header("x-cache"), "generation 2 purged the path");
        assertEquals("HIT", HttpTestClient.get(d.httpPort(), HOST, "/kept").header("x-cache"), "other paths stay");
        assertTrue(d.config().apply(snapshot(3, new CachePolicy(0, null, new CachePolicy.Purge(2, List.of("/everywhere"))))).accepted());
        assertEquals("HIT", HttpTestClient.get(d.httpPort(), HOST, "/everywhere").header("x-cache"), "the same generation again purges nothing");
        assertTrue(d.config().apply(snapshot(4, new CachePolicy(0, null, new CachePolicy.Purge(3, List.of())))).accepted());
        assertEquals("MISS", HttpTestClient.get(d.httpPort(), HOST, "/kept").header("x-cache"), "generation 3 purged the whole route");
      }
    }
  }

  @Test
  void theByteBoundHoldsUnderAFloodOfDistinctKeys() throws Exception {
    byte[] body = new byte[4096];
    java.util.Arrays.fill(body, (byte) 'x');
    origin.on("/flood", seen -> new Reply(200, List.of("Cache-Control", "max-age=60"), body, 0));
    long bound = 1L << 20;
    try (Dataplane small = Dataplane.start(DataplaneOptions.ephemeral().cacheSizeBytes(bound).build())) {
      assertTrue(small.config().apply(snapshot(1, CachePolicy.DEFAULT)).accepted());
      try (HttpTestClient c = HttpTestClient.connect(small.httpPort())) {
        for (int i = 0; i < 2000; i++) {
          assertEquals(200, c.get(HOST, "/flood?k=" + i).status());
        }
      }
      ResponseCache storage = small.caching().cache().storage();
      storage.cleanUp();
      System.out.println("[cache] 2000 x 4 KiB into 1 MiB: bytes=" + storage.weightedBytes() + " entries=" + storage.entries()
          + " evictions=" + storage.evictions());
      assertTrue(storage.weightedBytes() <= bound, "held " + storage.weightedBytes() + " bytes");
      assertTrue(storage.evictions() > 1000, "it evicted to stay within the bound");
      assertTrue(small.metrics().scrape().contains("weir_dataplane_cache_evictions_total"));
    }
  }

  @Test
  void objectsOverTheRoutesLimitAreNotStored() {
    origin.on("/big", seen -> new Reply(200, List.of("Cache-Control", "max-age=60"), new byte[5000], 0));
    origin.on("/little", seen -> new Reply(200, List.of("Cache-Control", "max-age=60"), new byte[500], 0));
    get("small.test", "/big", Map.of());
    Response big = get("small.test", "/big", Map.of());
    assertEquals("MISS", big.header("x-weir-cache"), "the route's own status header");
    assertNull(big.header("x-cache"));
    get("small.test", "/little", Map.of());
    assertEquals("HIT", get("small.test", "/little", Map.of()).header("x-weir-cache"));
  }

  @Test
  void compressedVariantsAreStoredPerEncoding() {
    byte[] page = ("<html>" + "cacheable and compressible ".repeat(400) + "</html>").getBytes();
    origin.on("/zpage", seen -> new Reply(200, List.of("Cache-Control", "max-age=60", "Content-Type", "text/html"), page, 0));
    Response br1 = get("zip.test", "/zpage", Map.of("Accept-Encoding", "br"));
    assertEquals("br", br1.header("content-encoding"));
    assertEquals("MISS", br1.header("x-cache"));
    Response br2 = get("zip.test", "/zpage", Map.of("Accept-Encoding", "gzip, br;q=1.0, zstd;q=0.1"));
    assertEquals("HIT", br2.header("x-cache"), "another header, the same chosen encoding: the same variant");
    assertEquals("br", br2.header("content-encoding"));
    assertArrayEquals(page, dev.weir.dataplane.compress.Bodies.decode(ContentCoding.BROTLI, br2.body()));
    Response gz = get("zip.test", "/zpage", Map.of("Accept-Encoding", "gzip"));
    assertEquals("MISS", gz.header("x-cache"));
    assertEquals("gzip", gz.header("content-encoding"));
    assertEquals("HIT", get("zip.test", "/zpage", Map.of("Accept-Encoding", "gzip")).header("x-cache"));
    Response identity = get("zip.test", "/zpage", Map.of());
    assertNull(identity.header("content-encoding"));
    assertArrayEquals(page, identity.body());
    assertEquals(3, origin.count("/zpage"), "one fetch per variant: br, gzip, identity");
    assertTrue(dp.metrics().scrape().contains("weir_dataplane_compressed_responses_total{encoding=\"br\"} 1.0"),
        "compressed once for br: the hit was served as stored");
  }

  @Test
  void http2StreamsAreServedFromTheCache() throws Exception {
    origin.on("/h2", seen -> Reply.of(200, "over h2", "Cache-Control", "max-age=60"));
    try (H2TestClient h2 = H2TestClient.connect(dp.httpPort())) {
      assertEquals("MISS", h2.get(HOST, "/h2").header("x-cache"));
      H2TestClient.Response hit = h2.get(HOST, "/h2");
      assertEquals("HIT", hit.header("x-cache"));
      assertEquals("over h2", hit.text());
    }
    assertEquals(1, origin.count("/h2"));
  }

  @Test
  void routesWithoutACacheAreUntouched() {
    origin.on("/plain", seen -> Reply.of(200, "plain", "Cache-Control", "max-age=60"));
    assertNull(get("plain.test", "/plain", Map.of()).header("x-cache"));
    assertNull(get("plain.test", "/plain", Map.of()).header("x-cache"));
    assertEquals(2, origin.count("/plain"));
  }

  @Test
  void hitsAndMissesAreCounted() {
    origin.on("/counted", seen -> Reply.of(200, "c", "Cache-Control", "max-age=60"));
    get(HOST, "/counted", Map.of());
    get(HOST, "/counted", Map.of());
    String scrape = dp.metrics().scrape();
    assertTrue(scrape.contains("weir_dataplane_cache_requests_total{result=\"hit\",route=\"cached\"}"), scrape);
    assertTrue(scrape.contains("weir_dataplane_cache_requests_total{result=\"miss\",route=\"cached\"}"), scrape);
    for (String series : List.of("weir_dataplane_cache_bytes ", "weir_dataplane_cache_max_bytes 8388608", "weir_dataplane_cache_entries ",
        "weir_dataplane_cache_evictions_total ", "weir_dataplane_cache_collapsed_total ")) {
      assertTrue(scrape.contains(series), series + " in " + scrape);
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderWithHitsAmongThem() {
    origin.on("/pipe-hit", seen -> Reply.of(200, "hit body", "Cache-Control", "max-age=60"));
    origin.on("/pipe-miss", seen -> Reply.of(200, "miss body", "Cache-Control", "no-store").delayed(100));
    get(HOST, "/pipe-hit", Map.of());
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      String one = "GET /pipe-hit HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
      String slow = "GET /pipe-miss HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
      c.writeRaw((one + slow + one + slow + one).getBytes());
      List<String> bodies = new ArrayList<>();
      List<String> results = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Response r = c.readResponse(false);
        bodies.add(r.text());
        results.add(r.header("x-cache"));
      }
      assertEquals(List.of("hit body", "miss body", "hit body", "miss body", "hit body"), bodies, "answers in request order");
      assertEquals(List.of("HIT", "MISS", "HIT", "MISS", "HIT"), results, "hits behind misses wait their turn, from the cache");
      assertEquals("hit body", c.get(HOST, "/pipe-hit").text(), "the connection goes on");
    }
    assertEquals(1, origin.count("/pipe-hit"), "only the first fetch reached the origin");
    assertEquals(2, origin.count("/pipe-miss"));
  }

  @Test
  void aHitHonoursConnectionCloseAndHttp10() {
    origin.on("/close", seen -> Reply.of(200, "closing", "Cache-Control", "max-age=60"));
    get(HOST, "/close", Map.of());
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      Response r = c.request("GET", HOST, "/close", Map.of("Connection", "close"), null);
      assertEquals("HIT", r.header("x-cache"));
      assertEquals("close", r.header("connection"));
      assertTrue(c.awaitClosedByServer(), "closed after the hit");
    }
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw(("GET /close HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n").getBytes());
      Response r = c.readResponse(false);
      assertEquals("closing", r.text());
      assertEquals("HIT", r.header("x-cache"));
      assertTrue(c.awaitClosedByServer(), "HTTP/1.0 without keep-alive: closed");
    }
  }

  @Test
  void aRouteThatRedirectsToHttpsIsNeverAnsweredFromTheCacheOverPlainHttp() {
    origin.on("/secure", seen -> Reply.of(200, "secret page", "Cache-Control", "public, max-age=60"));
    for (int i = 0; i < 2; i++) {
      Response r = get("redirect.test", "/secure", Map.of());
      assertEquals(308, r.status(), "the redirect, not a stored page");
      assertNull(r.header("x-cache"));
    }
    assertEquals(0, origin.count("/secure"));
  }
}
