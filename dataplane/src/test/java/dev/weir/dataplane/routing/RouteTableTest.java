package dev.weir.dataplane.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.snapshot.CookieMatch;
import dev.weir.snapshot.HeaderMatch;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteTableTest {

  static Route route(String name, PathMatch path) {
    return new Route(name, "test", path, List.of(), null, List.of(new WeightedCluster("c", 1)));
  }

  static Route route(String name, PathMatch path, String method, HeaderMatch... headers) {
    return new Route(name, "test", path, List.of(headers), method, List.of(new WeightedCluster("c", 1)));
  }

  static Snapshot snapshot(VirtualHost... hosts) {
    return new Snapshot(1, "h", List.of(hosts), List.of(), List.of());
  }

  // One table that exercises every precedence rule; each case names the route expected to win.
  static final RouteTable TABLE =
      RouteTable.compile(
          snapshot(
              new VirtualHost(
                  "shop.example.com",
                  List.of(
                      route("prefix-root", PathMatch.prefix("/")),
                      route("prefix-foo", PathMatch.prefix("/foo")),
                      route("prefix-foo-bar", PathMatch.prefix("/foo/bar/")),
                      route("exact-foo", PathMatch.exact("/foo")),
                      route("regex-img", PathMatch.regex("/img/[0-9]+\\.png")),
                      route("prefix-img", PathMatch.prefix("/img")),
                      route("canary-api", PathMatch.prefix("/api"), null, new HeaderMatch("X-Canary", "1")),
                      route("cookie-canary-api", PathMatch.prefix("/api"), null).withCookies(List.of(new CookieMatch("beta", "always"))),
                      route("post-api", PathMatch.prefix("/api"), "post"),
                      route("api", PathMatch.prefix("/api")),
                      route("admin-only-canary", PathMatch.prefix("/admin"), null, new HeaderMatch("x-canary", "1")),
                      route("exact-get-only", PathMatch.exact("/get"), "GET"),
                      route("first-duplicate", PathMatch.prefix("/dup")),
                      route("second-duplicate", PathMatch.prefix("/dup/"))),
                  null),
              new VirtualHost("*.example.com", List.of(route("wild", PathMatch.prefix("/"))), null),
              new VirtualHost("Mixed.Example.COM", List.of(route("mixed", PathMatch.prefix("/"))), null),
              new VirtualHost("*", List.of(route("catch-all", PathMatch.prefix("/")), route("catch-exact", PathMatch.exact("/x"))), null),
              new VirtualHost("noroot.test", List.of(route("only-api", PathMatch.prefix("/api"))), null)));

  static Stream<Arguments> cases() {
    HeaderLookup canary = name -> name.equalsIgnoreCase("x-canary") ? List.of("1") : List.of();
    HeaderLookup wrongCanary = name -> name.equalsIgnoreCase("x-canary") ? List.of("2") : List.of();
    HeaderLookup none = HeaderLookup.NONE;
    HeaderLookup betaCookie = name -> name.equalsIgnoreCase("cookie") ? List.of("a=1; beta=always; z=2") : List.of();
    HeaderLookup betaInSecondHeader = name -> name.equalsIgnoreCase("cookie") ? List.of("a=1", "beta=always") : List.of();
    HeaderLookup otherBeta = name -> name.equalsIgnoreCase("cookie") ? List.of("beta=never; xbeta=always") : List.of();
    HeaderLookup canaryAndCookie = name -> name.equalsIgnoreCase("x-canary") ? List.of("1")
        : name.equalsIgnoreCase("cookie") ? List.of("beta=always") : List.of();
    return Stream.of(
        // host selection
        Arguments.of("shop.example.com", "/", "GET", none, "prefix-root"),
        Arguments.of("SHOP.example.com:8080", "/", "GET", none, "prefix-root"),
        Arguments.of("shop.example.com.", "/", "GET", none, "prefix-root"),
        Arguments.of("a.example.com", "/", "GET", none, "wild"),
        Arguments.of("a.b.example.com", "/", "GET", none, "catch-all"),
        Arguments.of("example.com", "/", "GET", none, "catch-all"),
        Arguments.of("mixed.example.com", "/", "GET", none, "mixed"),
        Arguments.of(null, "/x", "GET", none, "catch-exact"),
        Arguments.of("[::1]:8080", "/", "GET", none, "catch-all"),
        Arguments.of("noroot.test", "/", "GET", none, null), // host selection is final
        Arguments.of("noroot.test", "/api/v1", "GET", none, "only-api"),
        // exact beats everything
        Arguments.of("shop.example.com", "/foo", "GET", none, "exact-foo"),
        Arguments.of("shop.example.com", "/foo?q=1", "GET", none, "exact-foo"),
        Arguments.of("shop.example.com", "/foo/", "GET", none, "prefix-foo"),
        // prefix: element-wise, longest first, trailing slash of the value ignored
        Arguments.of("shop.example.com", "/foo/x", "GET", none, "prefix-foo"),
        Arguments.of("shop.example.com", "/foobar", "GET", none, "prefix-root"),
        Arguments.of("shop.example.com", "/foo/bar", "GET", none, "prefix-foo-bar"),
        Arguments.of("shop.example.com", "/foo/bar/", "GET", none, "prefix-foo-bar"),
        Arguments.of("shop.example.com", "/foo/bar/baz", "GET", none, "prefix-foo-bar"),
        Arguments.of("shop.example.com", "/foo/barbaz", "GET", none, "prefix-foo"),
        Arguments.of("shop.example.com", "/foo//bar", "GET", none, "prefix-foo-bar"),
        Arguments.of("shop.example.com", "http://shop.example.com/foo/x?y", "GET", none, "prefix-foo"),
        Arguments.of("shop.example.com", "/foo#frag", "GET", none, "exact-foo"),
        // regex: full match before prefixes, query ignored
        Arguments.of("shop.example.com", "/img/12.png", "GET", none, "regex-img"),
        Arguments.of("shop.example.com", "/img/12.png?v=2", "GET", none, "regex-img"),
        Arguments.of("shop.example.com", "/img/12.pngx", "GET", none, "prefix-img"),
        Arguments.of("shop.example.com", "/x/img/12.png", "GET", none, "prefix-root"),
        // headers and method: first match in snapshot order, else the next candidate
        Arguments.of("shop.example.com", "/api/x", "GET", canary, "canary-api"),
        Arguments.of("shop.example.com", "/api/x", "GET", wrongCanary, "api"),
        Arguments.of("shop.example.com", "/api/x", "POST", none, "post-api"),
        Arguments.of("shop.example.com", "/api/x", "POST", canary, "canary-api"),
        Arguments.of("shop.example.com", "/api/x", "GET", none, "api"),
        // cookies: a cookie among others, in any Cookie header, by exact name and value
        Arguments.of("shop.example.com", "/api/x", "GET", betaCookie, "cookie-canary-api"),
        Arguments.of("shop.example.com", "/api/x", "GET", betaInSecondHeader, "cookie-canary-api"),
        Arguments.of("shop.example.com", "/api/x", "GET", otherBeta, "api"),
        Arguments.of("shop.example.com", "/api/x", "GET", canaryAndCookie, "canary-api"),
        Arguments.of("shop.example.com", "/admin", "GET", none, "prefix-root"),
        Arguments.of("shop.example.com", "/admin", "GET", canary, "admin-only-canary"),
        Arguments.of("shop.example.com", "/get", "GET", none, "exact-get-only"),
        Arguments.of("shop.example.com", "/get", "HEAD", none, "prefix-root"),
        Arguments.of("shop.example.com", "/dup/a", "GET", none, "first-duplicate"));
  }

  @ParameterizedTest(name = "{0} {2} {1} -> {4}")
  @MethodSource("cases")
  void matches(String host, String path, String method, HeaderLookup headers, String expected) {
    String got = TABLE.match(host, path, method, headers).map(RouteMatch::name).orElse(null);
    assertEquals(expected, got);
  }

  @Test
  void emptyTableMatchesNothing() {
    assertTrue(RouteTable.empty().match("a", "/", "GET", HeaderLookup.NONE).isEmpty());
    assertTrue(RouteTable.compile(Snapshot.empty()).match("a", "/", "GET", null).isEmpty());
  }

  @Test
  void noCatchAllHostMeansNoRouteForUnknownHosts() {
    RouteTable t = RouteTable.compile(snapshot(new VirtualHost("a.test", List.of(route("a", PathMatch.prefix("/"))), null)));
    assertTrue(t.match("b.test", "/", "GET", null).isEmpty());
    assertEquals("a", t.match("a.test", "/", "GET", null).orElseThrow().name());
  }

  @Test
  void singleLabelHostNeverMatchesAWildcard() {
    RouteTable t = RouteTable.compile(snapshot(new VirtualHost("*.com", List.of(route("w", PathMatch.prefix("/"))), null)));
    assertEquals("w", t.match("example.com", "/", "GET", null).orElseThrow().name());
    assertTrue(t.match("com", "/", "GET", null).isEmpty());
    assertTrue(t.match(".com", "/", "GET", null).isEmpty());
  }

  @Test
  void matchReturnsTheRouteAndItsWeightedBackends() {
    Route r = new Route("r", "o", PathMatch.prefix("/"), List.of(), null,
        List.of(new WeightedCluster("a", 3), new WeightedCluster("zero", 0), new WeightedCluster("b", 1)));
    RouteTable t = RouteTable.compile(snapshot(new VirtualHost("*", List.of(r), null)));
    RouteMatch m = t.match("x", "/", "GET", null).orElseThrow();
    assertEquals(r, m.route());
    assertEquals("*", m.virtualHost());
    assertEquals(List.of("a", "b"), m.backends().items());
    Map<String, Integer> counts = new java.util.HashMap<>();
    for (int i = 0; i < 400; i++) {
      counts.merge(m.pickCluster(), 1, Integer::sum);
    }
    assertEquals(Map.of("a", 300, "b", 100), counts);
  }

  @Test
  void routeWithoutBackendsHasAnEmptyPicker() {
    Route r = new Route("r", "o", PathMatch.prefix("/"), List.of(), null, List.of(new WeightedCluster("z", 0)));
    RouteMatch m = RouteTable.compile(snapshot(new VirtualHost("*", List.of(r), null))).match("x", "/", "GET", null).orElseThrow();
    assertTrue(m.backends().isEmpty());
    assertEquals(null, m.pickCluster());
  }

  @Test
  void lookupDoesNotDependOnTheNumberOfRoutes() {
    // 20,000 routes on one host and 5,000 hosts: a lookup must still be a handful of map probes.
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      routes.add(route("p" + i, PathMatch.prefix("/svc" + i + "/api")));
      routes.add(route("e" + i, PathMatch.exact("/exact" + i)));
    }
    List<VirtualHost> hosts = new ArrayList<>();
    hosts.add(new VirtualHost("big.test", routes, null));
    for (int i = 0; i < 5_000; i++) {
      hosts.add(new VirtualHost("h" + i + ".test", List.of(route("h" + i, PathMatch.prefix("/"))), null));
    }
    RouteTable t = RouteTable.compile(new Snapshot(1, "", hosts, List.of(), List.of()));
    assertEquals("p9999", t.match("big.test", "/svc9999/api/x", "GET", null).orElseThrow().name());
    assertEquals("e42", t.match("big.test", "/exact42", "GET", null).orElseThrow().name());
    assertEquals("h4999", t.match("h4999.test", "/a", "GET", null).orElseThrow().name());
    assertFalse(t.match("big.test", "/svc1/apix", "GET", null).isPresent());
    long start = System.nanoTime();
    for (int i = 0; i < 200_000; i++) {
      t.match("big.test", "/svc" + (i % 10_000) + "/api/items/7", "GET", null);
    }
    long perLookupNanos = (System.nanoTime() - start) / 200_000;
    // A linear scan of 20,000 routes would take tens of microseconds; hashing takes well under one.
    assertTrue(perLookupNanos < 20_000, "lookup took " + perLookupNanos + " ns");
  }
}
