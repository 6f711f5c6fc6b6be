package dev.weir.local;

import dev.weir.controller.app.ControllerOptions;
import dev.weir.controller.app.WeirController;
import dev.weir.local.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Everything {@code weir local} runs, wired together: embedded API server, controller, sample backends
 * with their Services and EndpointSlices, the example routes, and dataplane replicas as processes.
 */
public final class LocalCluster implements AutoCloseable {
  public static final List<String> BACKENDS = List.of("echo-a", "echo-b");

  private final LocalOptions options;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final List<SampleBackend> backends = new ArrayList<>();
  private final List<ReplicaProcess> replicas = new ArrayList<>();
  private final List<int[]> replicaPorts = new ArrayList<>();
  private EmbeddedApiServer api;
  private WeirController controller;

  private LocalCluster(LocalOptions options) {
    this.options = options;
  }

  public static LocalCluster start(LocalOptions options) throws Exception {
    LocalCluster c = new LocalCluster(options);
    try {
      c.startAll();
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  private void startAll() throws Exception {
    Files.createDirectories(options.stateDir());
    api = EmbeddedApiServer.start(options.apiPort());
    started.add(api);
    api.writeKubeconfig(options.kubeconfigPath());
    KubernetesClient client = api.client();

    for (String name : BACKENDS) {
      SampleBackend b = SampleBackend.start(name, "127.0.0.1", 0);
      backends.add(b);
      started.add(b);
    }
    Path backendsFile = options.examplesDir().resolve("01-backends.yaml");
    if (Files.exists(backendsFile)) apply(client, backendsFile);
    for (SampleBackend b : backends) client.resource(slice(b)).createOr(NonDeletingOperation::update);
    if (options.examples()) {
      try (Stream<Path> files = Files.list(options.examplesDir())) {
        for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
          if (!f.equals(backendsFile)) apply(client, f);
        }
      }
    }

    // Mutual TLS on the control channel, as in a cluster: the CA lives under the state dir (created on the first
    // run, reused after), and every replica dials with the client credentials the controller issues beside it.
    Path caDir = options.stateDir().resolve("ca").toAbsolutePath();
    controller = WeirController.start(ControllerOptions.defaults()
        .withPorts(0, 0)
        .withCaDir(caDir)
        .withStatusAddresses(List.of(options.bind().equals("0.0.0.0") ? "127.0.0.1" : options.bind())), client);
    started.add(controller);

    for (int i = 1; i <= options.replicas(); i++) {
      String id = "local-" + i;
      List<String> args = new ArrayList<>(List.of(
          "--bind", options.bind(),
          "--http-port", Integer.toString(options.httpPort()),
          "--admin-port", "0",
          "--reuse-port",
          "--controller", "127.0.0.1:" + controller.controlPort(),
          "--control-tls-dir", caDir.resolve("dataplane").toString(),
          "--replica-id", id,
          "--state-dir", options.stateDir().resolve("dataplane-" + i).toAbsolutePath().toString()));
      if (options.httpsPort() > 0) args.addAll(List.of("--https-port", Integer.toString(options.httpsPort())));
      ReplicaProcess p = ReplicaProcess.start(id, args);
      replicas.add(p);
      started.add(p);
    }
    for (ReplicaProcess p : replicas) replicaPorts.add(p.awaitReady(60_000));
  }

  private static void apply(KubernetesClient client, Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      for (HasMetadata item : client.load(in).items()) {
        if (item.getMetadata().getNamespace() == null && namespaced(item)) item.getMetadata().setNamespace("default");
        client.resource(item).createOr(NonDeletingOperation::update);
      }
    }
  }

  private static boolean namespaced(HasMetadata item) {
    return !(item instanceof io.fabric8.kubernetes.api.model.Namespace
        || item instanceof io.fabric8.kubernetes.api.model.networking.v1.IngressClass);
  }

  /** The EndpointSlice a Service controller would have written for a pod at the backend's address. */
  static EndpointSlice slice(SampleBackend b) {
    return new EndpointSliceBuilder()
        .withNewMetadata().withName(b.name() + "-local").withNamespace("default")
        .addToLabels("kubernetes.io/service-name", b.name())
        .addToLabels("endpointslice.kubernetes.io/managed-by", "weir-local").endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
        .addNewPort().withName("http").withPort(b.port()).withProtocol("TCP").endPort()
        .build();
  }

  public EmbeddedApiServer api() {
    return api;
  }

  public WeirController controller() {
    return controller;
  }

  public List<SampleBackend> backends() {
    return List.copyOf(backends);
  }

  public List<ReplicaProcess> replicas() {
    return List.copyOf(replicas);
  }

  /** {http, https, admin} ports of each replica, in replica order. */
  public List<int[]> replicaPorts() {
    return List.copyOf(replicaPorts);
  }

  public LocalOptions options() {
    return options;
  }

  /** Stops replicas first (they drain), then the controller, backends and API server. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        System.err.println("weir local: stopping " + started.get(i).getClass().getSimpleName() + ": " + e);
      }
    }
    started.clear();
  }
}
