package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.fromBackend;
import static dev.weir.e2e.WeirSystem.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.Await;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A plain Ingress of class weir is served like a ProxyRoute and gets status.loadBalancer; other classes are ignored. */
class IngressE2ETest {
  static WeirSystem system;

  @BeforeAll
  static void start() throws Exception {
    system = WeirSystem.start(2);
    if (!WeirSystem.realCluster()) {
      // On a real cluster the IngressClass is the installation's business; the embedded one starts empty.
      system.client().resource(new IngressClassBuilder().withNewMetadata().withName("weir").endMetadata()
          .withNewSpec().withController("weir.dev/ingress-controller").endSpec().build())
          .createOr(NonDeletingOperation::update);
    }
  }

  @AfterAll
  static void stop() {
    if (system != null) system.close();
  }

  private static Ingress ingress(String name, String className, String host, String path, String pathType, String svc) {
    return new IngressBuilder().withNewMetadata().withName(name).withNamespace(system.namespace()).endMetadata()
        .withNewSpec().withIngressClassName(className)
        .addNewRule().withHost(host).withNewHttp()
        .addNewPath().withPath(path).withPathType(pathType)
        .withNewBackend().withNewService().withName(svc).withNewPort().withNumber(80).endPort().endService().endBackend()
        .endPath().endHttp().endRule().endSpec().build();
  }

  @Test
  void ingressOfOurClassIsServedAndGetsLoadBalancerStatus() {
    system.backend("ing-a");
    system.client().resource(ingress("web", "weir", "ing.example.com", "/app", "Prefix", "ing-a")).create();
    system.awaitEveryReplica("ing.example.com", "/app/x", fromBackend("ing-a"), Duration.ofSeconds(5));
    system.awaitEveryReplica("ing.example.com", "/apple", status(404), Duration.ofSeconds(5));
    Await.until("Ingress status.loadBalancer", Duration.ofSeconds(10), () -> {
      Ingress i = system.client().network().v1().ingresses().inNamespace(system.namespace()).withName("web").get();
      return i.getStatus() != null && i.getStatus().getLoadBalancer() != null
          && i.getStatus().getLoadBalancer().getIngress() != null
          && i.getStatus().getLoadBalancer().getIngress().size() == 1
          && "127.0.0.1".equals(i.getStatus().getLoadBalancer().getIngress().get(0).getIp());
    });
  }

  @Test
  void endpointsOfAServiceOnlyAnIngressUsesAreFollowed() {
    var first = system.backend("ing-pods");
    var second = dev.weir.dataplane.testing.EchoBackend.start("ing-pods-2", WeirSystem.backendAddress());
    try {
      system.client().resource(ingress("pods", "weir", "pods.example.com", "/", "Prefix", "ing-pods")).create();
      system.awaitEveryReplica("pods.example.com", "/", fromBackend("ing-pods"), Duration.ofSeconds(5));
      system.setEndpoints("ing-pods", java.util.List.of(second));
      system.awaitEveryReplica("pods.example.com", "/", fromBackend("ing-pods-2"), Duration.ofSeconds(5));
      system.setEndpoints("ing-pods", java.util.List.of(first));
      system.awaitEveryReplica("pods.example.com", "/", fromBackend("ing-pods"), Duration.ofSeconds(5));
    } finally {
      second.close();
    }
  }

  @Test
  void exactPathBeatsPrefix() {
    system.backend("ing-exact");
    system.backend("ing-prefix");
    system.client().resource(ingress("exact", "weir", "paths.example.com", "/login", "Exact", "ing-exact")).create();
    system.client().resource(ingress("prefix", "weir", "paths.example.com", "/", "Prefix", "ing-prefix")).create();
    system.awaitEveryReplica("paths.example.com", "/login", fromBackend("ing-exact"), Duration.ofSeconds(5));
    system.awaitEveryReplica("paths.example.com", "/login/more", fromBackend("ing-prefix"), Duration.ofSeconds(5));
  }

  @Test
  void ingressOfAnotherClassIsIgnored() throws Exception {
    system.backend("ing-other");
    system.client().resource(ingress("other", "nginx", "other.example.com", "/", "Prefix", "ing-other")).create();
    // A route of ours created afterwards is served, so the controller has seen the other one by then.
    system.backend("ing-marker");
    system.client().resource(ingress("marker", "weir", "marker.example.com", "/", "Prefix", "ing-marker")).create();
    system.awaitEveryReplica("marker.example.com", "/", fromBackend("ing-marker"), Duration.ofSeconds(5));
    system.awaitEveryReplica("other.example.com", "/", status(404), Duration.ofSeconds(1));
    Thread.sleep(300);
    Ingress other = system.client().network().v1().ingresses().inNamespace(system.namespace()).withName("other").get();
    var lb = other.getStatus() == null || other.getStatus().getLoadBalancer() == null
        ? null : other.getStatus().getLoadBalancer().getIngress();
    assertTrue(lb == null || lb.isEmpty(), "no status written for another class: " + lb);
    assertEquals(404, system.get(system.dataplanes().get(0), "other.example.com", "/").status());
  }
}
