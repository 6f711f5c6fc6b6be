package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.BackendTls;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteBackend;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.TestPki;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS to a backend through the whole loop: a ProxyRoute backend with {@code tls.caSecretName} (and an
 * Ingress with {@code weir.dev/backend-protocol: HTTPS}) is reached over TLS by every replica, verified
 * against the Secret's CA for {@code <service>.<namespace>.svc}; a missing CA Secret is ResolvedRefs=False
 * and a 503 until the Secret appears, which alone brings the route up.
 */
class UpstreamTlsE2ETest {
  static final TestPki.Ca CA = TestPki.ca("e2e backend CA");
  static WeirSystem system;
  static EchoBackend secure;

  @BeforeAll
  static void start() throws Exception {
    system = WeirSystem.start(2);
    String ns = system.namespace();
    secure = EchoBackend.startTls("secure-api", WeirSystem.backendAddress(), TestPki.server(CA, "secure-api." + ns + ".svc"));
    system.client().resource(new ServiceBuilder().withNewMetadata().withName("secure-api").withNamespace(ns).endMetadata()
            .withNewSpec().addNewPort().withName("https").withPort(443).withNewTargetPort(8443).endPort().endSpec().build())
        .createOr(NonDeletingOperation::update);
    system.client().resource(new EndpointSliceBuilder()
            .withNewMetadata().withName("secure-api-0").withNamespace(ns).addToLabels("kubernetes.io/service-name", "secure-api").endMetadata()
            .withAddressType("IPv4")
            .withEndpoints(new EndpointBuilder().withAddresses(WeirSystem.backendAddress()).withNewConditions().withReady(true).endConditions().build())
            .addNewPort().withName("https").withPort(secure.port()).withProtocol("TCP").endPort()
            .build())
        .createOr(NonDeletingOperation::update);
    caSecret("api-ca");
  }

  @AfterAll
  static void stop() {
    if (system != null) system.close();
    if (secure != null) secure.close();
  }

  /** An Opaque Secret holding only the CA bundle, as one made with {@code kubectl create secret generic --from-file=ca.crt}. */
  static void caSecret(String name) {
    system.client().resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(system.namespace()).endMetadata()
            .withStringData(Map.of("ca.crt", CA.certificatePem())).build())
        .createOr(NonDeletingOperation::update);
  }

  static ProxyRoute tlsRoute(String name, String host, String caSecret) {
    ProxyRoute route = system.route(name, host, "/", "secure-api");
    RouteBackend b = route.getSpec().getRules().get(0).getBackends().get(0);
    b.setPort(443);
    b.setTls(new BackendTls(caSecret, null, null));
    return route;
  }

  static final Predicate<HttpTestClient.Response> OVER_TLS = r -> r.status() == 200 && "on".equals(r.header("x-tls"));

  @Test
  void aBackendVerifiedAgainstTheCaSecretIsReachedOverTlsByEveryReplica() {
    system.apply(tlsRoute("secure", "secure.example.com", "api-ca"));
    system.awaitEveryReplica("secure.example.com", "/orders", OVER_TLS, Duration.ofSeconds(10));
    for (Dataplane d : system.dataplanes()) {
      HttpTestClient.Response r = system.get(d, "secure.example.com", "/orders");
      assertEquals("secure-api", r.echo("backend"));
    }
    assertTrue(secure.serverNames().contains("secure-api." + system.namespace() + ".svc"), secure.serverNames().toString());
    system.awaitCondition("secure", "ResolvedRefs", c -> c.getStatus().equals("True"));
    system.awaitCondition("secure", "Programmed", c -> c.getStatus().equals("True"));
  }

  @Test
  void aMissingCaSecretIsResolvedRefsFalseAnd503UntilItAppears() {
    system.apply(tlsRoute("late", "late.example.com", "late-ca"));
    system.awaitCondition("late", "ResolvedRefs", c -> c.getStatus().equals("False") && c.getReason().equals("SecretNotFound")
        && c.getMessage().contains("tls.caSecretName: secret " + system.namespace() + "/late-ca not found"));
    system.awaitEveryReplica("late.example.com", "/", status(503), Duration.ofSeconds(10));
    caSecret("late-ca"); // the Secret alone (no change to the route) brings the backend in
    system.awaitEveryReplica("late.example.com", "/", OVER_TLS, Duration.ofSeconds(10));
    system.awaitCondition("late", "ResolvedRefs", c -> c.getStatus().equals("True"));
  }

  @Test
  void anIngressWithBackendProtocolHttpsAndVerificationOn() {
    if (!WeirSystem.realCluster()) {
      system.client().resource(new IngressClassBuilder().withNewMetadata().withName("weir").endMetadata()
              .withNewSpec().withController("weir.dev/ingress-controller").endSpec().build())
          .createOr(NonDeletingOperation::update);
    }
    system.client().resource(new IngressBuilder().withNewMetadata().withName("ing-tls").withNamespace(system.namespace())
            .addToAnnotations(Map.of("weir.dev/backend-protocol", "HTTPS", "weir.dev/proxy-ssl-verify", "on",
                "weir.dev/proxy-ssl-secret", system.namespace() + "/api-ca"))
            .endMetadata()
            .withNewSpec().withIngressClassName("weir")
            .addNewRule().withHost("ing-tls.example.com").withNewHttp()
            .addNewPath().withPath("/").withPathType("Prefix")
            .withNewBackend().withNewService().withName("secure-api").withNewPort().withNumber(443).endPort().endService()
            .endBackend().endPath().endHttp().endRule()
            .endSpec().build())
        .createOr(NonDeletingOperation::update);
    system.awaitEveryReplica("ing-tls.example.com", "/", OVER_TLS, Duration.ofSeconds(10));
  }
}
