package dev.weir.e2e.bench;

import dev.weir.controller.app.ControllerOptions;
import dev.weir.controller.app.WeirController;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.local.ReplicaProcess;
import dev.weir.local.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Route propagation: from {@code kubectl apply} returning to the first correct answer through every
 * dataplane replica, for {@code NEW} new routes with {@code LOADED} routes already programmed, while
 * background traffic on the loaded routes counts any failed request.
 *
 * <p>Wiring as in local mode: embedded API server and controller in this JVM, each replica its own
 * process started as {@code weir dataplane} would be, echo backends on 127.0.0.1. Run it with
 * {@code e2e/bench/propagation.sh}.
 */
public final class PropagationBench {
  public static void main(String[] args) throws Exception {
    int loaded = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int fresh = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int replicaCount = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Path work = Files.createTempDirectory("weir-propagation");
    List<AutoCloseable> toClose = new ArrayList<>();
    try {
      run(loaded, fresh, replicaCount, work, toClose);
    } finally {
      for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }
    System.exit(0);
  }

  private static void run(int loaded, int fresh, int replicaCount, Path work, List<AutoCloseable> toClose) throws Exception {
    EmbeddedApiServer api = EmbeddedApiServer.start(0);
    toClose.add(api);
    Path kubeconfig = work.resolve("kubeconfig");
    api.writeKubeconfig(kubeconfig);
    KubernetesClient client = api.client();
    EchoBackend backend = EchoBackend.start("bench");
    toClose.add(backend);
    client.resource(new ServiceBuilder().withNewMetadata().withName("bench").withNamespace("default").endMetadata()
        .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create();
    client.resource(new EndpointSliceBuilder().withNewMetadata().withName("bench-1").withNamespace("default")
        .addToLabels("kubernetes.io/service-name", "bench").endMetadata().withAddressType("IPv4")
        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
        .addNewPort().withName("http").withPort(backend.port()).endPort().build()).create();

    Path caDir = work.resolve("ca");
    WeirController controller = WeirController.start(ControllerOptions.defaults().withPorts(0, 0).withCaDir(caDir)
        .withStatusAddresses(List.of("127.0.0.1")), client);
    toClose.add(controller);

    List<Integer> ports = new ArrayList<>();
    for (int i = 1; i <= replicaCount; i++) {
      int port = freePort();
      ReplicaProcess p = ReplicaProcess.start("bench-" + i, List.of("--bind", "127.0.0.1", "--http-port",
          Integer.toString(port), "--admin-port", "0", "--controller", "127.0.0.1:" + controller.controlPort(),
          "--control-tls-dir", caDir.resolve("dataplane").toString(), "--replica-id", "bench-" + i, "--io-threads", "1"));
      toClose.add(p);
      p.awaitReady(60_000);
      ports.add(port);
    }

    long t0 = System.nanoTime();
    for (int i = 0; i < loaded; i++) client.resource(route("loaded-" + i)).create();
    for (int port : ports) awaitServed(port, "loaded-" + (loaded - 1) + ".bench.example.com", 120_000);
    System.out.printf("loaded %d routes in %.1f s (create through the API + programmed on %d replicas)%n", loaded,
        (System.nanoTime() - t0) / 1e9, replicaCount);

    // Warm the path we measure (JIT, kubectl's discovery cache) with routes that are not counted.
    for (int i = 0; i < 10; i++) measureOne(kubeconfig, work, "warm-" + i, ports);

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Thread> load = new ArrayList<>();
    for (int port : ports) {
      Thread t = new Thread(() -> background(port, loaded, running, ok, failed), "load-" + port);
      t.start();
      load.add(t);
    }

    long[] micros = new long[fresh];
    for (int i = 0; i < fresh; i++) micros[i] = measureOne(kubeconfig, work, "new-" + i, ports);
    running.set(false);
    for (Thread t : load) t.join();

    Arrays.sort(micros);
    System.out.printf("%nroute propagation, kubectl apply returned -> correct answer on all %d replicas, %d new routes,"
        + " %d loaded:%n", replicaCount, fresh, loaded);
    System.out.printf("  p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max %.1f ms%n", pct(micros, 50) / 1e3,
        pct(micros, 90) / 1e3, pct(micros, 99) / 1e3, micros[fresh - 1] / 1e3);
    System.out.printf("  background requests on loaded routes meanwhile: %d ok, %d failed%n", ok.get(), failed.get());
    System.out.printf("  snapshot version now %d (versions are per published snapshot)%n",
        controller.publisher().current().orElseThrow().version());
  }

  /** Applies one route with kubectl; microseconds from kubectl's exit to a correct answer on every replica. */
  private static long measureOne(Path kubeconfig, Path work, String name, List<Integer> ports) throws Exception {
    Path file = work.resolve(name + ".yaml");
    Files.writeString(file, """
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: %s, namespace: default}
        spec:
          hosts: ["%s.bench.example.com"]
          rules:
          - backends: [{service: bench, port: 80}]
        """.formatted(name, name));
    Process p = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "apply", "-f", file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("kubectl: " + out);
    long applied = System.nanoTime();
    if (Boolean.getBoolean("bench.trace")) System.out.println(java.time.LocalTime.now() + " kubectl returned for " + name);
    long last = applied;
    for (int port : ports) last = Math.max(last, awaitServed(port, name + ".bench.example.com", 10_000));
    return (last - applied) / 1000;
  }

  /** Polls one replica until the host is routed to the bench backend; returns the nanoTime of success. */
  private static long awaitServed(int port, String host, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    try (HttpTestClient c = HttpTestClient.connect(port)) {
      while (System.nanoTime() < deadline) {
        HttpTestClient.Response r = c.request("GET", host, "/", Map.of(), null);
        if (r.status() == 200 && "bench".equals(r.echo("backend"))) return System.nanoTime();
        // 1 ms between polls: the measurement's resolution, without the poller itself starving the 2 cores.
        Thread.sleep(1);
      }
    }
    throw new IllegalStateException(host + " not served on port " + port + " within " + timeoutMillis + " ms");
  }

  private static void background(int port, int loaded, AtomicBoolean running, AtomicLong ok, AtomicLong failed) {
    try (HttpTestClient c = HttpTestClient.connect(port)) {
      while (running.get()) {
        String host = "loaded-" + ThreadLocalRandom.current().nextInt(loaded) + ".bench.example.com";
        HttpTestClient.Response r = c.request("GET", host, "/", Map.of(), null);
        if (r.status() == 200 && "bench".equals(r.echo("backend"))) ok.incrementAndGet();
        else failed.incrementAndGet();
        Thread.sleep(5); // a steady ~150 requests/s per replica: traffic that must not notice the changes

      }
    } catch (RuntimeException | InterruptedException e) {
      failed.incrementAndGet();
      System.err.println("background load on port " + port + " failed: " + e);
    }
  }

  private static ProxyRoute route(String name) {
    ProxyRoute r = new ProxyRoute();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace("default");
    r.getSpec().setHosts(new ArrayList<>(List.of(name + ".bench.example.com")));
    var rule = new dev.weir.crds.v1alpha1.RouteRule();
    rule.setBackends(List.of(new dev.weir.crds.v1alpha1.RouteBackend("bench", 80, 1)));
    r.getSpec().setRules(List.of(rule));
    return r;
  }

  private static long pct(long[] sorted, int p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
