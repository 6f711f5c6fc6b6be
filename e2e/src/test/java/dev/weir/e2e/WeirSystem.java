package dev.weir.e2e;

import dev.weir.controller.app.ControllerOptions;
import dev.weir.controller.app.WeirController;
import dev.weir.crds.v1alpha1.PathMatch;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteBackend;
import dev.weir.crds.v1alpha1.RouteMatch;
import dev.weir.crds.v1alpha1.RouteRule;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.local.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The whole system for an end-to-end test: a Kubernetes API server (the embedded one, or a real
 * cluster when {@code KUBECONFIG} is set), the controller in-process (so tests can stop and restart
 * it), several dataplane replicas (each its own server with its own event loops and ports), and echo
 * backends on 127.0.0.1 behind selector-less Services with hand-written EndpointSlices.
 *
 * <p>Each system works in a namespace of its own, so tests on a shared real cluster don't collide.
 *
 * <p>The control channel runs mutual TLS, as in a cluster: the controller keeps its CA in {@link #caDir()}
 * and issues the dataplane credentials under it, which every replica dials with. The token is checked on
 * top (so a test can still present a wrong one).
 */
public final class WeirSystem implements AutoCloseable {
  public static final String TOKEN = "e2e-" + UUID.randomUUID();

  private final EmbeddedApiServer api;
  private final KubernetesClient client;
  private final String namespace;
  private final Path stateRoot;
  private final Map<String, EchoBackend> backends = new LinkedHashMap<>();
  private final List<Dataplane> dataplanes = new ArrayList<>();
  private WeirController controller;
  private int controlPort;

  private WeirSystem(EmbeddedApiServer api, KubernetesClient client, String namespace, Path stateRoot) {
    this.api = api;
    this.client = client;
    this.namespace = namespace;
    this.stateRoot = stateRoot;
  }

  /** Starts the API server (or connects to $KUBECONFIG's cluster), the controller and {@code replicas} dataplanes. */
  public static WeirSystem start(int replicas) throws Exception {
    EmbeddedApiServer api = null;
    KubernetesClient client;
    if (realCluster()) {
      client = new KubernetesClientBuilder().build();
    } else {
      api = EmbeddedApiServer.start(0);
      client = api.newClient();
    }
    String ns = "weir-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    WeirSystem s = new WeirSystem(api, client, ns, Files.createTempDirectory("weir-e2e"));
    try {
      s.ensureCrd();
      client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      s.startController(0);
      for (int i = 0; i < replicas; i++) s.addDataplane();
      return s;
    } catch (Exception | Error e) {
      s.close();
      throw e;
    }
  }

  /**
   * Where echo backends listen and what their EndpointSlices say: 127.0.0.1 with the embedded API server;
   * against a real cluster a non-loopback address of this machine from {@code WEIR_E2E_BACKEND_ADDRESS},
   * because the Kubernetes API server rejects loopback addresses in EndpointSlices.
   */
  static String backendAddress() {
    if (!realCluster()) return "127.0.0.1";
    String a = System.getenv("WEIR_E2E_BACKEND_ADDRESS");
    if (a == null || a.isBlank() || a.startsWith("127.") || a.equals("::1")) {
      throw new IllegalStateException("against a real cluster set WEIR_E2E_BACKEND_ADDRESS to a non-loopback IP of"
          + " this machine (e.g. the first of `hostname -I`): the API server rejects 127.0.0.1 in EndpointSlices");
    }
    return a;
  }

  static boolean realCluster() {
    String kubeconfig = System.getenv("KUBECONFIG");
    return kubeconfig != null && !kubeconfig.isBlank();
  }

  private void ensureCrd() throws IOException {
    try (InputStream in = ProxyRoute.class.getResourceAsStream("/" + EmbeddedApiServer.CRD_RESOURCE)) {
      var crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      client.resource(crd).createOr(NonDeletingOperation::update);
    }
  }

  /** Starts the controller; {@code port} 0 the first time, then the same port again so dataplanes find it. */
  public void startController(int port) throws Exception {
    controller = WeirController.start(ControllerOptions.defaults()
        .withPorts(port, 0)
        .withCaDir(caDir())
        .withToken(TOKEN)
        .withHeartbeatMillis(1000)
        .withWatchNamespaces(Set.of(namespace))
        .withStatusAddresses(List.of("127.0.0.1")), client);
    controlPort = controller.controlPort();
  }

  public void stopController() {
    controller.close();
    controller = null;
  }

  public void restartController() throws Exception {
    startController(controlPort);
  }

  public Dataplane addDataplane() throws Exception {
    return addDataplane("replica-" + (dataplanes.size() + 1), TOKEN);
  }

  public Dataplane addDataplane(String id, String token) throws Exception {
    return addDataplane(options(id, token).build());
  }

  /** Starts a replica with these options (e.g. {@code options(id, TOKEN).httpsPort(0)} for an HTTPS listener). */
  public Dataplane addDataplane(DataplaneOptions options) throws Exception {
    Dataplane d = Dataplane.start(options);
    dataplanes.add(d);
    return d;
  }

  /** Options of replica {@code id}: ephemeral ports, fast heartbeats, its own state dir. */
  public DataplaneOptions.Builder options(String id, String token) {
    return DataplaneOptions.ephemeral()
        .controller("127.0.0.1", controlPort)
        .controlTlsDir(caDir().resolve("dataplane"))
        .token(token)
        .replicaId(id)
        .stateDir(stateRoot.resolve(id))
        .heartbeatInterval(Duration.ofMillis(500))
        .reportInterval(Duration.ofMillis(500));
  }

  /** Starts an echo backend with a Service (port 80, named http) and an EndpointSlice pointing at it. */
  public EchoBackend backend(String name) {
    EchoBackend b = EchoBackend.start(name, backendAddress());
    backends.put(name, b);
    client.resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().addNewPort().withName("http").withPort(80).withNewTargetPort(8080).endPort().endSpec().build())
        .createOr(NonDeletingOperation::update);
    setEndpoints(name, List.of(b));
    return b;
  }

  /** Replaces the Service's endpoints (what the EndpointSlice controller does as pods come and go). */
  public void setEndpoints(String service, List<EchoBackend> ready) {
    // Each backend listens on its own port and a slice has one port list, so each backend gets its own slice.
    client.discovery().v1().endpointSlices().inNamespace(namespace).withLabel("kubernetes.io/service-name", service)
        .delete();
    int i = 0;
    for (EchoBackend b : ready) {
      client.resource(new EndpointSliceBuilder()
          .withNewMetadata().withName(service + "-" + (i++)).withNamespace(namespace)
          .addToLabels("kubernetes.io/service-name", service).endMetadata()
          .withAddressType("IPv4")
          .withEndpoints(new EndpointBuilder().withAddresses(backendAddress()).withNewConditions().withReady(true)
              .endConditions().build())
          .addNewPort().withName("http").withPort(b.port()).withProtocol("TCP").endPort()
          .build()).create();
    }
  }

  /** A Service with no endpoints yet; add them one by one with {@link #addEndpoint}. */
  public void service(String name) {
    client.resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().addNewPort().withName("http").withPort(80).withNewTargetPort(8080).endPort().endSpec().build())
        .createOr(NonDeletingOperation::update);
  }

  /** A new ready endpoint for the Service, in a slice of its own (a pod that became ready). */
  public void addEndpoint(String service, EchoBackend b) {
    client.resource(endpointSlice(service, b, true, false)).createOr(NonDeletingOperation::update);
  }

  /**
   * The endpoint's pod is terminating: its slice says {@code ready: false, serving: true, terminating: true},
   * as the EndpointSlice controller writes it once the pod's deletion begins.
   */
  public void markTerminating(String service, EchoBackend b) {
    client.resource(endpointSlice(service, b, false, true)).update();
  }

  /** The endpoint's pod is gone: its slice is deleted. */
  public void removeEndpoint(String service, EchoBackend b) {
    client.discovery().v1().endpointSlices().inNamespace(namespace).withName(service + "-p" + b.port()).delete();
  }

  private io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice endpointSlice(String service, EchoBackend b, boolean ready,
      boolean terminating) {
    return new EndpointSliceBuilder()
        .withNewMetadata().withName(service + "-p" + b.port()).withNamespace(namespace)
        .addToLabels("kubernetes.io/service-name", service).endMetadata()
        .withAddressType("IPv4")
        .withEndpoints(new EndpointBuilder().withAddresses(backendAddress()).withNewConditions().withReady(ready)
            .withServing(true).withTerminating(terminating).endConditions().build())
        .addNewPort().withName("http").withPort(b.port()).withProtocol("TCP").endPort()
        .build();
  }

  public ProxyRoute route(String name, String host, String prefix, String... services) {
    ProxyRoute r = new ProxyRoute();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    r.getSpec().setHosts(new ArrayList<>(List.of(host)));
    RouteRule rule = new RouteRule();
    RouteMatch match = new RouteMatch();
    match.setPath(new PathMatch(PathMatch.Type.PathPrefix, prefix));
    rule.setMatches(new ArrayList<>(List.of(match)));
    List<RouteBackend> backendList = new ArrayList<>();
    for (String s : services) backendList.add(new RouteBackend(s, 80, 1));
    rule.setBackends(backendList);
    r.getSpec().setRules(new ArrayList<>(List.of(rule)));
    return r;
  }

  public ProxyRoute apply(ProxyRoute route) {
    return client.resource(route).createOr(NonDeletingOperation::update);
  }

  public ProxyRoute get(String name) {
    return client.resources(ProxyRoute.class).inNamespace(namespace).withName(name).get();
  }

  public Optional<Condition> condition(String route, String type) {
    ProxyRoute r = get(route);
    if (r == null || r.getStatus() == null || r.getStatus().getConditions() == null) return Optional.empty();
    return r.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public void awaitCondition(String route, String type, Predicate<Condition> p) {
    Await.until(route + " condition " + type, Duration.ofSeconds(15),
        () -> condition(route, type).map(p::test).orElse(false));
  }

  public HttpTestClient.Response get(Dataplane d, String host, String path) {
    return HttpTestClient.get(d.httpPort(), host, path);
  }

  /** Waits until every replica answers {@code host path} as {@code expected} says; returns the time it took. */
  public Duration awaitEveryReplica(String host, String path, Predicate<HttpTestClient.Response> expected,
      Duration timeout) {
    long start = System.nanoTime();
    for (Dataplane d : dataplanes) {
      Await.until("replica " + d.replicaId() + " answering " + host + path + " as expected", timeout, () -> {
        try {
          return expected.test(get(d, host, path));
        } catch (RuntimeException e) {
          return false;
        }
      });
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  public static Predicate<HttpTestClient.Response> fromBackend(String name) {
    return r -> r.status() == 200 && name.equals(r.echo("backend"));
  }

  public static Predicate<HttpTestClient.Response> status(int code) {
    return r -> r.status() == code;
  }

  public KubernetesClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  public WeirController controller() {
    return controller;
  }

  public List<Dataplane> dataplanes() {
    return List.copyOf(dataplanes);
  }

  public Path stateRoot() {
    return stateRoot;
  }

  /** The control-channel CA of this system's controllers ({@code --ca-dir}); dataplane credentials in {@code dataplane/}. */
  public Path caDir() {
    return stateRoot.resolve("ca");
  }

  /**
   * A kubeconfig file for controller processes: the embedded API server's, or null against a real
   * cluster (the processes inherit {@code KUBECONFIG}).
   */
  public Path kubeconfigForProcesses() throws IOException {
    if (api == null) return null;
    Path file = stateRoot.resolve("kubeconfig");
    if (!Files.exists(file)) api.writeKubeconfig(file);
    return file;
  }

  public void stopDataplane(Dataplane d) {
    d.close();
    dataplanes.remove(d);
  }

  @Override
  public void close() {
    dataplanes.forEach(Dataplane::close);
    dataplanes.clear();
    if (controller != null) controller.close();
    try {
      client.namespaces().withName(namespace).delete();
    } catch (RuntimeException e) {
      // best effort on a real cluster; the embedded server goes away anyway
    }
    backends.values().forEach(EchoBackend::close);
    client.close();
    if (api != null) api.close();
    try (Stream<Path> files = Files.walk(stateRoot)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
