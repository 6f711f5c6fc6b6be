package dev.weir.controller.app;

import dev.weir.controller.logs.ObjectLog;
import dev.weir.controller.metrics.ControllerMetrics;
import dev.weir.controller.push.ControlChannelServer;
import dev.weir.controller.push.SnapshotPublisher;
import dev.weir.controller.report.ReplicaRegistry;
import dev.weir.controller.status.ProgrammedTracker;
import dev.weir.controller.status.StatusWriter;
import dev.weir.controller.translate.TranslateOptions;
import dev.weir.controller.translate.TranslationResult;
import dev.weir.controller.translate.Translator;
import dev.weir.controller.watch.ClusterCache;
import dev.weir.controller.watch.Debouncer;
import dev.weir.controller.watch.IngressReconciler;
import dev.weir.controller.watch.ProxyRouteReconciler;
import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller, wired: informers (JOSDK) → debounced translation → publisher → control channel →
 * replica reports → status. Embeddable: local mode and the e2e tests start it in-process.
 */
public final class WeirController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WeirController.class);

  private final ControllerOptions options;
  private final java.time.Clock clock;
  private final KubernetesClient client;
  private final ClusterCache cache = new ClusterCache();
  private final SnapshotPublisher publisher = new SnapshotPublisher();
  private final ReplicaRegistry registry = new ReplicaRegistry();
  private final ProgrammedTracker tracker = new ProgrammedTracker();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScheduledExecutorService executor;
  // Status writes are API round trips (hundreds at startup); on their own thread they never delay a rebuild.
  private final ScheduledExecutorService statusExecutor;
  private final Debouncer rebuild;
  private final Debouncer status;
  private final ControllerMetrics meters = new ControllerMetrics(metrics);
  private final TranslateOptions translateOptions;
  private volatile java.util.List<TranslationResult.Problem> lastProblems = java.util.List.of();
  private StatusWriter statusWriter;
  private Leadership leadership;
  private ControlChannelServer server;
  private Operator operator;
  private AdminServer admin;
  private volatile boolean synced;

  private WeirController(ControllerOptions options, KubernetesClient client, java.time.Clock clock) {
    this.options = options;
    this.clock = clock;
    this.client = client;
    this.translateOptions =
        new TranslateOptions(options.className(), TranslateOptions.CONTROLLER_NAME).withDefaultCertificate(options.defaultCertificate());
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "weir-controller");
      t.setDaemon(true);
      return t;
    });
    this.statusExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "weir-status");
      t.setDaemon(true);
      return t;
    });
    this.rebuild = new Debouncer("rebuild", executor, this::rebuild, options.holdoffMillis(), options.maxHoldoffMillis());
    // Status is batched (Contour does the same): a route usually reaches every replica within the holdoff, so
    // one write carries Accepted, ResolvedRefs and Programmed together instead of a Pending write first.
    this.status = new Debouncer("status", statusExecutor, this::writeStatus, 200, 1000);
  }

  public static WeirController start(ControllerOptions options, KubernetesClient client) throws Exception {
    return start(options, client, java.time.Clock.systemUTC());
  }

  /** As {@link #start(ControllerOptions, KubernetesClient)}; {@code clock} dates the certificates it issues. */
  public static WeirController start(ControllerOptions options, KubernetesClient client, java.time.Clock clock)
      throws Exception {
    WeirController c = new WeirController(options, client, clock);
    try {
      c.startAll();
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void startAll() throws Exception {
    ControlChannelSecurity security = ControlChannelSecurity.resolve(options, client, clock);
    leadership = options.leaderElection()
        ? Leadership.elect(client, options, this::onStartLeading, this::onStopLeading)
        : Leadership.always();
    statusWriter = new StatusWriter(client, cache, tracker, registry, leadership::isLeader, this::statusAddresses,
        statusExecutor, meters);
    registry.onChange(() -> status.request("replicas"));
    server = new ControlChannelServer(publisher, registry, security.tokens(), security.tls(),
        () -> synced && leadership.isLeader(), options.heartbeatMillis())
        .start(options.bindAddress(), options.controlPort());

    operator = new Operator(o -> o.withKubernetesClient(client)
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withCloseClientOnStop(false)
        .withStopOnInformerErrorDuringStartup(true)
        .withCacheSyncTimeout(Duration.ofSeconds(60)));
    operator.register(new ProxyRouteReconciler(cache, rebuild, meters, options.defaultCertificate()), o -> {
      if (!options.watchNamespaces().isEmpty()) o.settingNamespaces(options.watchNamespaces());
    });
    operator.register(new IngressReconciler(cache, rebuild, meters), o -> {
      if (!options.watchNamespaces().isEmpty()) o.settingNamespaces(options.watchNamespaces());
    });
    operator.start();

    // Continue above any version a previous controller wrote, so dataplanes never see one go backwards.
    long highest = cache.proxyRoutes().stream()
        .map(ProxyRoute::getStatus)
        .filter(s -> s != null && s.getDataplanes() != null && s.getDataplanes().getVersion() != null)
        .mapToLong(s -> s.getDataplanes().getVersion())
        .max().orElse(0);
    publisher.raiseFloor(highest);

    meters.watch(publisher, registry);
    FunctionCounter.builder("weir_controller_control_tls_refused", server, ControlChannelServer::refusedHandshakes)
        .description("control-channel connections refused in the TLS handshake or for their client certificate")
        .register(metrics);
    Gauge.builder("weir_controller_leader", this, c -> c.isLeader() ? 1 : 0).register(metrics);
    admin = new AdminServer(options.bindAddress(), options.adminPort(), this::isReady, metrics);

    synced = true;
    rebuild.enable();
    status.enable();
    // Safety net: recompute every status now and then (e.g. someone else overwrote one; the Service address changed).
    statusExecutor.scheduleWithFixedDelay(this::resyncStatus, 10, 10, TimeUnit.SECONDS);
    // Certificates are checked at start; a controller that runs for months checks again twice a day.
    executor.scheduleWithFixedDelay(() -> renewCertificates(security), 12, 12, TimeUnit.HOURS);
    // Safety net for a missed event: an unchanged result is not published again, so this costs one translation.
    executor.scheduleWithFixedDelay(() -> rebuild.request("periodic resync"), 60, 60, TimeUnit.SECONDS);
    log.info("weir controller started: control channel on port {}, admin on port {}, class {}",
        server.port(), admin.port(), options.className());
  }

  private void renewCertificates(ControlChannelSecurity security) {
    try {
      if (security.renew()) server.useTls(security.tls());
    } catch (RuntimeException e) {
      // An exception would cancel the periodic task for good; log it and try again next period.
      log.warn("control-channel certificate renewal failed: {}", e.toString());
    }
  }

  private void rebuild() {
    long start = System.nanoTime();
    TranslationResult result = Translator.translate(cache.index(), translateOptions, java.time.Instant.now());
    long translated = System.nanoTime();
    meters.snapshotBuilt(translated - start);
    publisher.publish(result.snapshot());
    if (!result.problems().equals(lastProblems)) {
      // Problems of the controller's own settings have no object to carry a condition: log each change.
      result.problems().forEach(p ->
          ObjectLog.about(log.atWarn(), p.kind(), p.namespace(), p.name()).log("{}", p.message()));
      lastProblems = result.problems();
    }
    if (log.isDebugEnabled()) {
      log.debug("rebuild: translate {} us, publish {} us", (translated - start) / 1000, (System.nanoTime() - translated) / 1000);
    }
    long version = publisher.current().map(s -> s.version()).orElse(0L);
    tracker.onTranslation(result, version);
    status.request("translation");
  }

  private void writeStatus() {
    int failed = statusWriter.writeAll();
    if (failed > 0 && !statusExecutor.isShutdown()) {
      try {
        statusExecutor.schedule(() -> status.request("retry after " + failed + " failed writes"), 1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing meanwhile
      }
    }
  }

  private void resyncStatus() {
    try {
      statusWriter.writeAll(true);
    } catch (RuntimeException e) {
      // An exception would cancel the periodic task for good; log it and try again next period.
      log.warn("periodic status resync failed: {}", e.toString());
    }
  }

  private List<String> statusAddresses() {
    if (!options.statusAddresses().isEmpty()) return options.statusAddresses();
    if (options.dataplaneService() == null) return List.of();
    String[] ref = options.dataplaneService().split("/", 2);
    if (ref.length != 2) return List.of();
    return cache.service(ref[0], ref[1]).map(StatusWriter::addressesOf).orElse(List.of());
  }

  private void onStartLeading() {
    status.request("became leader");
  }

  private void onStopLeading() {
    if (server != null) server.closeSessions();
  }

  public boolean isLeader() {
    return leadership != null && leadership.isLeader();
  }

  /** Caches synced. Followers are Ready too (they refuse dataplane sessions, which then redial the leader). */
  public boolean isReady() {
    return synced;
  }

  public int controlPort() {
    return server.port();
  }

  public int adminPort() {
    return admin.port();
  }

  public SnapshotPublisher publisher() {
    return publisher;
  }

  public ReplicaRegistry registry() {
    return registry;
  }

  public long statusWrites() {
    return statusWriter == null ? 0 : statusWriter.writes();
  }

  @Override
  public void close() {
    synced = false;
    // Stop writing before anything else goes: the client may be closed by the caller right after this.
    statusExecutor.shutdownNow();
    executor.shutdownNow();
    awaitQuietly(statusExecutor);
    awaitQuietly(executor);
    if (operator != null) {
      try {
        operator.stop();
      } catch (RuntimeException e) {
        log.debug("operator stop: {}", e.toString());
      }
    }
    if (server != null) server.close();
    if (admin != null) admin.close();
    if (leadership != null) leadership.close();
    metrics.close();
  }

  private static void awaitQuietly(ScheduledExecutorService e) {
    try {
      e.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }
}
