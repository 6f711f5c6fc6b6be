package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.TestCertificates;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.CookieMatch;
import dev.weir.snapshot.HeaderMatch;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.TlsCertificate;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SnapshotValidatorTest {

  static final Cluster WEB = new Cluster("web", List.of(new Endpoint("10.0.0.1", 8080), new Endpoint("fd00::1", 80)));

  static Route route(String name, PathMatch path, WeightedCluster... backends) {
    return new Route(name, "test", path, List.of(), null, List.of(backends));
  }

  static Snapshot snapshot(List<VirtualHost> hosts, List<Cluster> clusters, List<TlsCertificate> certs) {
    return new Snapshot(1, "", hosts, clusters, certs);
  }

  static Snapshot oneRoute(Route r) {
    return snapshot(List.of(new VirtualHost("a.test", List.of(r), null)), List.of(WEB), List.of());
  }

  @Test
  void aGoodSnapshotHasNoProblems() {
    Snapshot s =
        snapshot(
            List.of(
                new VirtualHost("shop.example.com", List.of(route("r", PathMatch.prefix("/"), new WeightedCluster("web", 1))), "shop"),
                new VirtualHost("*.wild.example.com", List.of(route("w", PathMatch.regex("/a/[0-9]+"), new WeightedCluster("web", 0))), "wild"),
                new VirtualHost("*", List.of(route("e", PathMatch.exact("/x"))), null)),
            List.of(WEB, new Cluster("empty", List.of())),
            List.of(TestCertificates.certificate("shop", "shop"), TestCertificates.certificate("wild", "wild")));
    assertEquals(List.of(), SnapshotValidator.validate(s));
  }

  static Stream<Arguments> problems() {
    TlsCertificate shop = TestCertificates.certificate("shop", "shop");
    return Stream.of(
        Arguments.of(
            "regex does not compile",
            oneRoute(route("r1", PathMatch.regex("/a/(b"), new WeightedCluster("web", 1))),
            "virtual host a.test: route r1: regex \"/a/(b\" does not compile: Unclosed group near index 5"),
        Arguments.of(
            "duplicate virtual host (case and port do not make it different)",
            snapshot(List.of(new VirtualHost("a.test", List.of(), null), new VirtualHost("A.Test", List.of(), null)), List.of(), List.of()),
            "virtual host A.Test: duplicate virtual host"),
        Arguments.of(
            "unknown cluster",
            oneRoute(route("r1", PathMatch.prefix("/"), new WeightedCluster("nope", 1))),
            "virtual host a.test: route r1: refers to unknown cluster nope"),
        Arguments.of(
            "negative weight",
            oneRoute(route("r1", PathMatch.prefix("/"), new WeightedCluster("web", -1))),
            "virtual host a.test: route r1: cluster web has negative weight -1"),
        Arguments.of(
            "endpoint is a name, not an IP literal",
            snapshot(List.of(), List.of(new Cluster("c", List.of(new Endpoint("api.svc.cluster.local", 80)))), List.of()),
            "cluster c: endpoint address \"api.svc.cluster.local\" is not an IPv4 or IPv6 literal"),
        Arguments.of(
            "endpoint port zero",
            snapshot(List.of(), List.of(new Cluster("c", List.of(new Endpoint("10.0.0.1", 0)))), List.of()),
            "cluster c: endpoint 10.0.0.1 port 0 is out of range 1..65535"),
        Arguments.of(
            "endpoint port too large",
            snapshot(List.of(), List.of(new Cluster("c", List.of(new Endpoint("::1", 65536)))), List.of()),
            "cluster c: endpoint ::1 port 65536 is out of range 1..65535"),
        Arguments.of(
            "unknown certificate",
            snapshot(List.of(new VirtualHost("a.test", List.of(), "missing")), List.of(), List.of()),
            "virtual host a.test: refers to unknown certificate missing"),
        Arguments.of(
            "certificate that does not parse",
            snapshot(List.of(), List.of(), List.of(new TlsCertificate("bad", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", shop.privateKeyPem()))),
            "certificate bad: certificate does not parse"),
        Arguments.of(
            "key that does not parse",
            snapshot(List.of(), List.of(), List.of(new TlsCertificate("bad", shop.certificateChainPem(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))),
            "certificate bad: private key does not parse"),
        Arguments.of(
            "key that does not match the certificate",
            snapshot(List.of(), List.of(), List.of(new TlsCertificate("mismatch", shop.certificateChainPem(), TestCertificates.resource("other.key")))),
            "certificate mismatch: private key does not match the certificate"),
        Arguments.of(
            "wildcard in the middle",
            snapshot(List.of(new VirtualHost("a.*.test", List.of(), null)), List.of(), List.of()),
            "virtual host a.*.test: not a valid host name"),
        Arguments.of(
            "prefix without leading slash",
            oneRoute(route("r1", PathMatch.prefix("api"), new WeightedCluster("web", 1))),
            "virtual host a.test: route r1: path \"api\" must start with /"),
        Arguments.of(
            "header match without a value",
            oneRoute(new Route("r1", "t", PathMatch.prefix("/"), List.of(new HeaderMatch("x-a", null)), null, List.of())),
            "virtual host a.test: route r1: header match x-a has no value"),
        Arguments.of(
            "cookie match with a separator in its name",
            oneRoute(new Route("r1", "t", PathMatch.prefix("/"), List.of(), null, List.of())
                .withCookies(List.of(new CookieMatch("a;b", "1")))),
            "virtual host a.test: route r1: cookie match name \"a;b\" is not a cookie name"),
        Arguments.of(
            "method with a space",
            oneRoute(new Route("r1", "t", PathMatch.prefix("/"), List.of(), "GE T", List.of())),
            "virtual host a.test: route r1: method \"GE T\" is not an HTTP method token"),
        Arguments.of(
            "duplicate cluster",
            snapshot(List.of(), List.of(WEB, WEB), List.of()),
            "cluster web: duplicate name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("problems")
  void reportsAReadableProblem(String what, Snapshot snapshot, String expected) {
    List<String> problems = SnapshotValidator.validate(snapshot);
    assertTrue(problems.stream().anyMatch(p -> p.startsWith(expected)), "expected \"" + expected + "\" in " + problems);
  }

  @Test
  void collectsEveryProblemNotJustTheFirst() {
    Snapshot s =
        snapshot(
            List.of(new VirtualHost("a.test", List.of(route("r1", PathMatch.regex("("), new WeightedCluster("x", -2))), "nope")),
            List.of(new Cluster("c", List.of(new Endpoint("host", 0)))),
            List.of());
    assertEquals(6, SnapshotValidator.validate(s).size(), SnapshotValidator.validate(s).toString());
  }

  @Test
  void problemsNeverContainKeyMaterial() {
    TlsCertificate shop = TestCertificates.certificate("shop", "shop");
    String other = TestCertificates.resource("other.key");
    List<String> problems =
        SnapshotValidator.validate(snapshot(List.of(), List.of(), List.of(new TlsCertificate("m", shop.certificateChainPem(), other))));
    String keyBody = other.split("\n")[1];
    assertTrue(problems.stream().noneMatch(p -> p.contains(keyBody)));
  }
}
