package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.fromBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weir.crds.v1alpha1.PathMatch;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteBackend;
import dev.weir.crds.v1alpha1.RouteMatch;
import dev.weir.crds.v1alpha1.RouteRule;
import dev.weir.crds.v1alpha1.RouteTls;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.TestCertificates;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A host with a usable certificate redirects plain HTTP to HTTPS on every replica (308 by default, with the
 * request's host and target in Location), serves HTTPS as usual, and follows the redirect settings as they change.
 */
class HttpsRedirectE2ETest {
  static final String HOST = "shop.example.com"; // the subject of TestCertificates' "shop" certificate
  static WeirSystem system;

  @BeforeAll
  static void start() throws Exception {
    system = WeirSystem.start(0);
    for (int i = 1; i <= 2; i++) {
      system.addDataplane(system.options("replica-" + i, WeirSystem.TOKEN).httpsPort(0).build());
    }
    system.backend("secure");
    system.client().resource(new SecretBuilder().withNewMetadata().withName("shop-tls")
        .withNamespace(system.namespace()).endMetadata().withType("kubernetes.io/tls")
        .withStringData(Map.of("tls.crt", TestCertificates.resource("shop.crt"),
            "tls.key", TestCertificates.resource("shop.key"))).build())
        .createOr(NonDeletingOperation::update);
  }

  @AfterAll
  static void stop() {
    if (system != null) system.close();
  }

  static Predicate<HttpTestClient.Response> redirect(int status, String location) {
    return r -> r.status() == status && location.equals(r.header("Location"));
  }

  static HttpTestClient.Response overHttps(Dataplane d, String host, String path) {
    try (HttpTestClient c = HttpTestClient.connectTls(d.httpsPort(), host)) {
      return c.request("GET", host, path, Map.of("Connection", "close"), null);
    }
  }

  @Test
  void proxyRouteWithTlsRedirectsPlainHttpExceptPermitInsecureRules() {
    ProxyRoute route = system.route("shop", HOST, "/", "secure");
    route.getSpec().setTls(new RouteTls("shop-tls"));
    RouteRule acme = new RouteRule();
    RouteMatch match = new RouteMatch();
    match.setPath(new PathMatch(PathMatch.Type.PathPrefix, "/.well-known/acme-challenge"));
    acme.setMatches(new ArrayList<>(List.of(match)));
    acme.setBackends(new ArrayList<>(List.of(new RouteBackend("secure", 80, 1))));
    acme.setPermitInsecure(true);
    route.getSpec().getRules().add(acme);
    system.apply(route);

    system.awaitEveryReplica(HOST, "/orders?id=7", redirect(308, "https://" + HOST + "/orders?id=7"),
        Duration.ofSeconds(10));
    for (Dataplane d : system.dataplanes()) {
      HttpTestClient.Response https = overHttps(d, HOST, "/orders?id=7");
      assertEquals(200, https.status(), "HTTPS is proxied on " + d.replicaId());
      assertEquals("secure", https.echo("backend"));
      assertEquals("secure", system.get(d, HOST, "/.well-known/acme-challenge/token").echo("backend"),
          "a permitInsecure rule is served over plain HTTP on " + d.replicaId());
    }

    // A merge patch, as `kubectl patch --type=merge` sends: no conflict with the controller's status writes.
    patch("shop", "{\"spec\":{\"tls\":{\"redirect\":{\"statusCode\":302}}}}");
    system.awaitEveryReplica(HOST, "/a", redirect(302, "https://" + HOST + "/a"), Duration.ofSeconds(10));

    patch("shop", "{\"spec\":{\"tls\":{\"redirect\":{\"enabled\":false}}}}");
    system.awaitEveryReplica(HOST, "/a", fromBackend("secure"), Duration.ofSeconds(10));
    system.awaitCondition("shop", "Programmed", c -> c.getStatus().equals("True"));
  }

  static void patch(String route, String mergePatch) {
    system.client().resources(ProxyRoute.class).inNamespace(system.namespace()).withName(route)
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  @Test
  void aHostWhoseSecretIsMissingServesPlainHttp() {
    ProxyRoute route = system.route("nocert", "nocert.example.com", "/", "secure");
    route.getSpec().setTls(new RouteTls("missing-tls"));
    system.apply(route);
    system.awaitEveryReplica("nocert.example.com", "/", fromBackend("secure"), Duration.ofSeconds(10));
    system.awaitCondition("nocert", "ResolvedRefs", c -> c.getReason().equals("SecretNotFound"));
  }

  @Test
  void ingressTlsHostsRedirectWithTheAnnotatedCode() {
    if (!WeirSystem.realCluster()) {
      system.client().resource(new IngressClassBuilder().withNewMetadata().withName("weir").endMetadata()
          .withNewSpec().withController("weir.dev/ingress-controller").endSpec().build())
          .createOr(NonDeletingOperation::update);
    }
    system.client().resource(new IngressBuilder().withNewMetadata().withName("ing-secure")
        .withNamespace(system.namespace()).addToAnnotations("weir.dev/ssl-redirect-code", "301").endMetadata()
        .withNewSpec().withIngressClassName("weir")
        .addNewTl().withHosts("ing.shop.example.com").withSecretName("shop-tls").endTl()
        .addNewRule().withHost("ing.shop.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Prefix")
        .withNewBackend().withNewService().withName("secure").withNewPort().withNumber(80).endPort().endService()
        .endBackend().endPath().endHttp().endRule()
        .addNewRule().withHost("ing-plain.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Prefix")
        .withNewBackend().withNewService().withName("secure").withNewPort().withNumber(80).endPort().endService()
        .endBackend().endPath().endHttp().endRule()
        .endSpec().build()).create();
    system.awaitEveryReplica("ing.shop.example.com", "/x", redirect(301, "https://ing.shop.example.com/x"),
        Duration.ofSeconds(10));
    // A host of the Ingress that spec.tls does not list serves plain HTTP.
    system.awaitEveryReplica("ing-plain.example.com", "/x", fromBackend("secure"), Duration.ofSeconds(10));
  }
}
