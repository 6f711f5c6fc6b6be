package dev.weir.local.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.ProxyRoute;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl against the embedded server through the kubeconfig it writes. Plain {@code kubectl apply}, no
 * {@code --validate=false}: the OpenAPI v3 documents make kubectl leave validation to the server.
 */
class KubectlTest {

  private static final String ROUTE = """
      apiVersion: weir.dev/v1alpha1
      kind: ProxyRoute
      metadata:
        name: %s
        namespace: default
      spec:
        ingressClassName: weir
        hosts: ["%s"]
        rules:
        - matches:
          - path: {type: PathPrefix, value: /}
          backends:
          - {service: echo-a, port: 80, weight: 90}
          - {service: echo-b, port: 80, weight: 10}
      """;

  private static final String BUILTINS = """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: shop
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: echo
        namespace: shop
      spec:
        ports:
        - {name: http, port: 80, targetPort: 8080}
        - {name: https, port: 443, targetPort: %d}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: echo-1
        namespace: shop
        labels: {kubernetes.io/service-name: echo}
      addressType: IPv4
      endpoints:
      - addresses: ["127.0.0.1"]
        conditions: {ready: true}
      ports:
      - {name: http, port: 8080, protocol: TCP}
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: shop-tls
        namespace: shop
      type: kubernetes.io/tls
      stringData:
        tls.crt: cert
        tls.key: key
      ---
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata:
        name: echo
        namespace: shop
      spec:
        ingressClassName: weir
        rules:
        - host: echo.example.com
          http:
            paths:
            - path: /
              pathType: Prefix
              backend:
                service: {name: echo, port: {number: 80}}
      """;

  @TempDir
  static Path dir;

  private static EmbeddedApiServer server;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() throws Exception {
    String binary = Kubectl.find();
    Assumptions.assumeTrue(binary != null, "kubectl is not installed");
    server = EmbeddedApiServer.start(0);
    Path kubeconfig = dir.resolve("conf/kubeconfig");
    server.writeKubeconfig(kubeconfig);
    kubectl = new Kubectl(binary, kubeconfig, Files.createDirectories(dir.resolve("cache")));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private static Kubectl.Result ok(String... args) {
    Kubectl.Result result = kubectl.run(args);
    assertEquals(0, result.exitCode(), () -> "kubectl " + String.join(" ", args) + ": " + result);
    return result;
  }

  @Test
  void applyCreatesThenLeavesUnchangedThenConfigures() throws Exception {
    Path route = file("apply.yaml", ROUTE.formatted("apply", "apply.example.com"));
    Kubectl.Result created = ok("apply", "-f", route.toString());
    assertEquals("proxyroute.weir.dev/apply created\n", created.out());
    assertEquals("", created.err(), "no validation warnings");
    assertEquals("proxyroute.weir.dev/apply unchanged\n", ok("apply", "-f", route.toString()).out());
    Files.writeString(route, ROUTE.formatted("apply", "apply2.example.com"));
    assertEquals("proxyroute.weir.dev/apply configured\n", ok("apply", "-f", route.toString()).out());
    ProxyRoute stored = server.client().resources(ProxyRoute.class).inNamespace("default").withName("apply").get();
    assertEquals(List.of("apply2.example.com"), stored.getSpec().getHosts());
    assertEquals(2L, stored.getMetadata().getGeneration());
    assertEquals(2, stored.getSpec().getRules().get(0).getBackends().size());
  }

  @Test
  void strictValidationRejectsUnknownFieldsAndDefaultsApply() throws Exception {
    Path typo = file("typo.yaml", ROUTE.formatted("typo", "typo.example.com").replace("  hosts:", "  hostz:"));
    Kubectl.Result rejected = kubectl.run("apply", "-f", typo.toString());
    assertEquals(1, rejected.exitCode(), rejected.toString());
    assertTrue(rejected.err().contains("strict decoding error: unknown field \"spec.hostz\""), rejected.err());
    Kubectl.Result warned = kubectl.run("apply", "--validate=warn", "-f", typo.toString());
    assertEquals(0, warned.exitCode(), warned.toString());
    assertTrue(warned.err().contains("unknown field \"spec.hostz\""), warned.err());

    Path noWeight = file("weightless.yaml", ROUTE.formatted("weightless", "w.example.com")
        .replace(", weight: 90", "").replace(", weight: 10", ""));
    ok("apply", "-f", noWeight.toString());
    assertEquals("1 1", ok("get", "pxr", "weightless", "-o", "jsonpath={.spec.rules[0].backends[*].weight}").out(),
        "the CRD's default: 1 is applied, as a real server does");
  }

  @Test
  void getAndDescribeProxyRoutes() throws Exception {
    ok("apply", "-f", file("get.yaml", ROUTE.formatted("get", "get.example.com")).toString());
    String table = ok("get", "proxyroutes").out();
    assertTrue(table.lines().findFirst().orElse("").matches("NAME\\s+AGE\\s+HOSTS\\s+PROGRAMMED\\s+REPLICAS"),
        "the CRD's printer columns, printed server-side:\n" + table);
    assertTrue(table.lines().anyMatch(l -> l.matches("get\\s+\\d+s\\s+\\[\"get.example.com\"]\\s*")), table);
    String all = ok("get", "pxr", "-A").out();
    assertTrue(all.startsWith("NAMESPACE"), all);
    assertTrue(all.lines().anyMatch(l -> l.matches("default\\s+get\\s.*")), all);
    String yaml = ok("get", "pxr", "get", "-o", "yaml").out();
    assertTrue(yaml.contains("kind: ProxyRoute") && yaml.contains("- get.example.com") && yaml.contains("generation: 1"),
        yaml);
    ProxyRoute stored = server.client().resources(ProxyRoute.class).inNamespace("default").withName("get").get();
    server.client().v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
        .withNewMetadata().withName("get.1").endMetadata()
        .withNewInvolvedObject().withApiVersion("weir.dev/v1alpha1").withKind("ProxyRoute").withName("get")
        .withNamespace("default").withUid(stored.getMetadata().getUid()).endInvolvedObject()
        .withType("Normal").withReason("Programmed").withMessage("route programmed on 2/2 replicas")
        .withCount(1).withFirstTimestamp("2026-01-01T00:00:00Z").withLastTimestamp("2026-01-01T00:00:00Z")
        .withNewSource().withComponent("weir-controller").endSource().build()).create();
    server.client().v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
        .withNewMetadata().withName("other.1").endMetadata()
        .withNewInvolvedObject().withKind("ProxyRoute").withName("other").withNamespace("default").endInvolvedObject()
        .withReason("Elsewhere").withMessage("not about this route").build()).create();
    String described = ok("describe", "pxr", "get").out();
    assertTrue(described.matches("(?s).*Normal\\s+Programmed\\s+.*weir-controller\\s+route programmed on 2/2 replicas.*"),
        "events found through the involvedObject field selector:\n" + described);
    assertFalse(described.contains("Elsewhere"), described);
    assertTrue(described.matches("(?s)Name:\\s+get\n.*Namespace:\\s+default\n.*"), described);
    assertTrue(described.contains("get.example.com"), described);
    Kubectl.Result missing = kubectl.run("get", "pxr", "nope");
    assertEquals(1, missing.exitCode());
    assertTrue(missing.err().contains("proxyroutes.weir.dev \"nope\" not found"), missing.err());
  }

  @Test
  void applyAndGetBuiltinKinds() throws Exception {
    Path builtins = file("builtins.yaml", BUILTINS.formatted(8443));
    assertEquals("""
        namespace/shop created
        service/echo created
        endpointslice.discovery.k8s.io/echo-1 created
        secret/shop-tls created
        ingress.networking.k8s.io/echo created
        """, ok("apply", "-f", builtins.toString()).out());
    // As on a real server, a Secret written with stringData re-applies as "configured" (stringData is never stored).
    String again = ok("apply", "-f", builtins.toString()).out();
    assertTrue(again.lines().filter(l -> !l.startsWith("secret/")).allMatch(l -> l.endsWith(" unchanged")), again);

    String listed = ok("get", "ingress,svc,endpointslices,secrets", "-n", "shop").out();
    for (String name : List.of("ingress.networking.k8s.io/echo", "service/echo", "endpointslice.discovery.k8s.io/echo-1",
        "secret/shop-tls")) {
      assertTrue(listed.contains(name), name + " in\n" + listed);
    }
    assertTrue(ok("get", "namespaces").out().lines().anyMatch(l -> l.matches("shop\\s+Active\\s+\\d+s")));
    String services = ok("get", "svc", "-n", "shop").out();
    assertTrue(services.lines().anyMatch(l -> l.matches("echo\\s+ClusterIP\\s+\\S+\\s+\\S+\\s+80/TCP,443/TCP\\s+\\d+s")),
        services);
    assertEquals("Y2VydA==", ok("get", "secret", "shop-tls", "-n", "shop", "-o", "jsonpath={.data.tls\\.crt}").out(),
        "stringData is stored as data, as a real server does");

    // A strategic merge patch from kubectl: one port of two changes, the other stays.
    Files.writeString(builtins, BUILTINS.formatted(9443));
    assertTrue(ok("apply", "-f", builtins.toString()).out().contains("service/echo configured"));
    assertEquals("80:8080 443:9443",
        ok("get", "svc", "echo", "-n", "shop", "-o", "jsonpath={range .spec.ports[*]}{.port}:{.targetPort} {end}")
            .out().trim());
  }

  @Test
  void serverSideApplyCreatesAndUpdates() throws Exception {
    Path route = file("ssa.yaml", ROUTE.formatted("ssa", "ssa.example.com"));
    assertEquals("proxyroute.weir.dev/ssa serverside-applied\n", ok("apply", "--server-side", "-f", route.toString()).out());
    Files.writeString(route, ROUTE.formatted("ssa", "ssa2.example.com"));
    assertEquals("proxyroute.weir.dev/ssa serverside-applied\n", ok("apply", "--server-side", "-f", route.toString()).out());
    assertEquals("ssa2.example.com", ok("get", "pxr", "ssa", "-o", "jsonpath={.spec.hosts[0]}").out());
  }

  @Test
  void deleteFromFile() throws Exception {
    Path route = file("delete.yaml", ROUTE.formatted("delete", "delete.example.com"));
    ok("apply", "-f", route.toString());
    String deleted = ok("delete", "-f", route.toString()).out();
    assertTrue(deleted.startsWith("proxyroute.weir.dev \"delete\" deleted"), deleted);
    assertEquals(1, kubectl.run("get", "pxr", "delete").exitCode());
  }

  @Test
  void apiResourcesListsBuiltinsAndTheCrd() {
    String resources = ok("api-resources").out();
    assertTrue(resources.lines().anyMatch(l -> l.matches("proxyroutes\\s+pxr\\s+weir.dev/v1alpha1\\s+true\\s+ProxyRoute")),
        resources);
    for (String kind : List.of("Ingress", "Service", "EndpointSlice", "Secret", "Namespace", "Lease", "IngressClass",
        "CustomResourceDefinition", "Event", "ConfigMap", "Pod", "Endpoints")) {
      assertTrue(resources.lines().anyMatch(l -> l.endsWith(" " + kind)), kind + " in\n" + resources);
    }
  }

  @Test
  void versionAndExplain() {
    Kubectl.Result version = ok("version");
    assertTrue(version.out().contains("Server Version: v1.32.0-embedded"), version.toString());
    assertEquals("", version.err());
    String explained = ok("explain", "proxyroute.spec.rules.backends").out();
    assertTrue(explained.contains("weight") && explained.contains("service"), explained);
  }

  @Test
  void getWatchStreamsChanges() throws Exception {
    var routes = server.client().resources(ProxyRoute.class).inNamespace("default");
    routes.resource(ClientCrudTest.route("watched", "watched.example.com", "a")).create();
    Process watch = kubectl.start("get", "pxr", "watched", "-w", "-o", "jsonpath={.spec.hosts[0]}{\"\\n\"}");
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(lines::add);
      } catch (java.io.IOException e) {
        // the process was destroyed
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      assertEquals("watched.example.com", lines.poll(Kubectl.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the initial get");
      routes.withName("watched").edit(r -> {
        r.getSpec().setHosts(List.of("watched2.example.com"));
        return r;
      });
      assertEquals("watched2.example.com", lines.poll(Kubectl.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the change");
      assertEquals(null, lines.poll(300, TimeUnit.MILLISECONDS), "no replay of the initial state");
      assertTrue(watch.isAlive(), "the watch is still open");
    } finally {
      watch.destroyForcibly();
      assertTrue(watch.waitFor(Kubectl.TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
    assertFalse(watch.isAlive());
  }
}
