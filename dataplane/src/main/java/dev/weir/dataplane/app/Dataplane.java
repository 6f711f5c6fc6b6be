package dev.weir.dataplane.app;

import dev.weir.dataplane.accesslog.AccessLog;
import dev.weir.dataplane.accesslog.AccessLogTarget;
import dev.weir.dataplane.accesslog.AccessLogWriter;
import dev.weir.dataplane.balance.ClusterRegistry;
import dev.weir.dataplane.balance.HealthChecker;
import dev.weir.dataplane.config.ApplyResult;
import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.config.ControlChannelClient;
import dev.weir.dataplane.config.ControlChannelSettings;
import dev.weir.dataplane.metrics.DataplaneMetrics;
import dev.weir.dataplane.pipeline.HttpServerInitializer;
import dev.weir.dataplane.pipeline.Transport;
import dev.weir.dataplane.pipeline.Http2UpstreamInitializer;
import dev.weir.dataplane.pipeline.UpstreamChannelInitializer;
import dev.weir.dataplane.proxy.DrainEvent;
import dev.weir.dataplane.proxy.ProxyContext;
import dev.weir.dataplane.cache.CacheSettings;
import dev.weir.dataplane.cache.CollapsedForwarding;
import dev.weir.dataplane.cache.HttpCache;
import dev.weir.dataplane.cache.TimeoutScheduler;
import dev.weir.dataplane.proxy.CachePurges;
import dev.weir.dataplane.proxy.ResponseCaching;
import dev.weir.dataplane.proxy.TrafficState;
import dev.weir.dataplane.proxy.RequestStats;
import dev.weir.dataplane.tls.ServerSslContexts;
import dev.weir.dataplane.tls.SniContextMapping;
import dev.weir.dataplane.upstream.UpstreamPools;
import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.SnapshotJson;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dataplane replica, embeddable: {@link #start} binds the listeners and returns; {@link #close}
 * drains and stops. {@code DataplaneMain} runs one as a process; end-to-end tests run several in
 * one JVM.
 *
 * <p>Start order matters for static stability: a persisted (or static) snapshot is applied before
 * the listeners bind, so a restarted replica serves its last configuration before any controller
 * answers.
 */
public final class Dataplane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Dataplane.class);

  private final DataplaneOptions options;
  private final Transport transport;
  private final EventLoopGroup io;
  private final EventLoopGroup control;
  private final ConfigHolder config;
  private final DataplaneMetrics metrics;
  /** What the proxy reports requests to: the metrics, and the access log when there is one. */
  private final RequestStats stats;
  /** Null when the access log is off. */
  private final AccessLogWriter accessLog;
  private final UpstreamPools upstreams;
  /** Circuit-breaker and retry-budget counts per cluster, shared by the HTTP and HTTPS listeners. */
  private final TrafficState traffic = new TrafficState();
  private final ResponseCaching caching;
  private final ChannelGroup connections = new DefaultChannelGroup("downstream", GlobalEventExecutor.INSTANCE);
  private final List<Channel> listeners = new ArrayList<>();
  private Channel admin;
  private ControlChannelClient controller;
  private final ShutdownDelay shutdownDelay;
  private volatile boolean draining;
  private volatile boolean closed;
  private int httpPort;
  private int httpsPort = DataplaneOptions.NO_PORT;
  private int adminPort;

  private Dataplane(DataplaneOptions options) throws IOException {
    this.options = options;
    this.transport = Transport.detect();
    this.metrics = new DataplaneMetrics();
    this.accessLog = openAccessLog(options.accessLog(), metrics);
    this.stats = accessLog == null ? metrics : new AccessLog(metrics, accessLog);
    this.io = transport.newGroup(options.ioThreads(), "weir-io");
    // Active health checks run on the proxy's event loops: they never block, and cost what one more
    // upstream connection per endpoint and interval costs.
    EventLoopGroup checks = io;
    this.config = new ConfigHolder(options.stateDir(), options.tls(),
        new ClusterRegistry(System::nanoTime, () -> new HealthChecker(checks, transport.socketChannel())));
    config.addListener(metrics);
    config.addListener(traffic);
    this.caching = options.cacheSizeBytes() == 0 ? null : newCaching(options.cacheSizeBytes(), io);
    if (caching != null) {
      metrics.bindCache(caching.cache().storage(), caching.flights()::collapsed);
      config.addListener(new CachePurges(caching.cache().storage()));
    }
    // Snapshots are applied on the control channel's own thread, never on a proxy event loop.
    this.control = options.hasController() ? transport.newGroup(1, "weir-control") : null;
    this.shutdownDelay = new ShutdownDelay(options.shutdownDelay(), io, this::readinessFails);
    Http2UpstreamInitializer h2 = new Http2UpstreamInitializer(options.proxy());
    this.upstreams =
        new UpstreamPools(
            transport.socketChannel(),
            new UpstreamChannelInitializer(options.proxy()),
            h2,
            h2.streamInitializer(),
            options.proxy().connectTimeout(),
            options.proxy().upstreamIdleTimeout(),
            options.proxy().maxIdlePerEndpoint());
  }

  /**
   * Loads the static or persisted snapshot, binds every listener, and starts the control channel.
   *
   * @throws IllegalArgumentException when the static snapshot file cannot be read or applied
   * @throws IOException when a port cannot be bound
   */
  public static Dataplane start(DataplaneOptions options) throws IOException, InterruptedException {
    return start(options, d -> {});
  }

  /**
   * As {@link #start(DataplaneOptions)}, and runs {@code whenListening} once every listener is bound,
   * before the access log writes its first line: what it prints to stdout comes before any access log line.
   */
  public static Dataplane start(DataplaneOptions options, Consumer<Dataplane> whenListening) throws IOException, InterruptedException {
    Dataplane d = new Dataplane(options);
    try {
      d.loadInitialSnapshot();
      d.bind();
      d.startControlChannel();
    } catch (IOException | InterruptedException | RuntimeException e) {
      // Whatever did bind must not stay bound (or keep its port) after a failed start.
      d.listeners.forEach(l -> l.close().awaitUninterruptibly());
      if (d.admin != null) {
        d.admin.close().awaitUninterruptibly();
      }
      d.shutdownGroups();
      if (d.accessLog != null) {
        d.accessLog.close();
      }
      throw e;
    }
    log.info(
        "dataplane {} listening: http={} https={} admin={} transport={} tls={}",
        options.replicaId(), d.httpPort, d.httpsPort, d.adminPort, d.transport.name(), ServerSslContexts.providerDescription());
    whenListening.accept(d);
    if (d.accessLog != null) {
      d.accessLog.start(); // lines of requests served meanwhile waited in its queue
    }
    return d;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The bound HTTPS port, or {@link DataplaneOptions#NO_PORT} when there is no HTTPS listener. */
  public int httpsPort() {
    return httpsPort;
  }

  public int adminPort() {
    return adminPort;
  }

  public ConfigHolder config() {
    return config;
  }

  /** Requests, retries and connections in flight per cluster (what the circuit breakers count). */
  public TrafficState traffic() {
    return traffic;
  }

  public DataplaneMetrics metrics() {
    return metrics;
  }

  public DataplaneOptions options() {
    return options;
  }

  public String replicaId() {
    return options.replicaId();
  }

  /** True once a drain began ({@link #close}, {@link #beginDrain} or {@code /drain}): readiness fails. */
  public boolean isDraining() {
    return draining;
  }

  /**
   * Fails readiness now and keeps serving for the shutdown delay; what {@code GET /drain} on the
   * admin port does (a {@code preStop} hook). {@link #close} still has to follow, as SIGTERM does.
   *
   * @return completes when the shutdown delay is over
   */
  public java.util.concurrent.CompletableFuture<Void> beginDrain() {
    return shutdownDelay.begin();
  }

  private void readinessFails() {
    draining = true;
    metrics.draining(true);
    log.info("dataplane {} draining: readiness fails; still serving for the shutdown delay of {}", options.replicaId(),
        options.shutdownDelay());
  }

  /** True while the control channel is connected (always false in static mode). */
  public boolean isControllerConnected() {
    return controller != null && controller.isConnected();
  }

  /** This replica's current state as a control-channel report. */
  public ChannelMessage.Report report() {
    return new ChannelMessage.Report(
        options.replicaId(),
        config.isReady() && !draining,
        config.appliedVersion(),
        config.appliedHash(),
        metrics.activeConnections(),
        metrics.requestsTotal(),
        metrics.routeRequests());
  }

  /** Drains with the options' deadline, then stops. Idempotent. */
  @Override
  public void close() {
    close(options.drainTimeout());
  }

  /**
   * Graceful stop: readiness fails and the listeners keep serving for the shutdown delay (counted
   * from {@link #beginDrain} if that came first); then the listeners stop accepting, idle keep-alive
   * connections close now and busy ones after their current response (GOAWAY on HTTP/2); whatever is
   * still open at the deadline is closed; then the event loops stop.
   */
  public synchronized void close(Duration deadline) {
    if (closed) {
      return;
    }
    closed = true;
    shutdownDelay.begin();
    shutdownDelay.await();
    log.info("dataplane {} stops accepting ({} connections, deadline {})", options.replicaId(), connections.size(), deadline);
    for (Channel l : listeners) {
      l.close().awaitUninterruptibly();
    }
    for (Channel ch : connections) {
      ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
    }
    long end = System.nanoTime() + deadline.toNanos();
    while (!connections.isEmpty() && System.nanoTime() < end) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!connections.isEmpty()) {
      log.warn("dataplane {}: closing {} connections still open at the drain deadline", options.replicaId(), connections.size());
      connections.close().awaitUninterruptibly();
    }
    if (controller != null) {
      controller.close();
    }
    upstreams.close();
    config.close(); // stops the active health checks
    if (admin != null) {
      admin.close().awaitUninterruptibly();
    }
    shutdownGroups();
    if (accessLog != null) {
      accessLog.close(); // after the event loops: every request's line is queued by now
    }
    log.info("dataplane {} stopped", options.replicaId());
  }

  /** The writer for the access log target, not started; null when it is off. */
  private static AccessLogWriter openAccessLog(AccessLogTarget target, DataplaneMetrics metrics) throws IOException {
    return switch (target.kind()) {
      case OFF -> null;
      case STDOUT -> new AccessLogWriter(System.out, false, AccessLogWriter.DEFAULT_CAPACITY, metrics::accessLogDropped);
      case FILE -> {
        OutputStream file;
        try {
          file = Files.newOutputStream(target.file(), StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
          throw new IOException("cannot open access log " + target.file() + ": " + e.getMessage(), e);
        }
        yield new AccessLogWriter(file, true, AccessLogWriter.DEFAULT_CAPACITY, metrics::accessLogDropped);
      }
    };
  }

  private void loadInitialSnapshot() {
    if (options.staticSnapshot() != null) {
      ApplyResult result;
      try {
        result = config.apply(SnapshotJson.readSnapshot(options.staticSnapshot()));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read snapshot file " + options.staticSnapshot() + ": " + e.getMessage(), e);
      }
      if (result instanceof ApplyResult.Rejected rejected) {
        throw new IllegalArgumentException("snapshot file " + options.staticSnapshot() + " is invalid: " + rejected.reason());
      }
    } else {
      config.applyPersisted()
          .filter(ApplyResult::accepted)
          .ifPresent(r -> log.info("serving persisted snapshot version {} until a controller answers", r.version()));
    }
  }

  /**
   * The replica's cache: {@code bytes} for every route together; one object may take an eighth of it
   * (a route's own {@code maxObjectSize} is usually far smaller). Misses wait at most 5 s for another
   * request's fetch of their key (nginx's {@code proxy_cache_lock_timeout} default).
   */
  private static ResponseCaching newCaching(long bytes, EventLoopGroup loops) {
    int maxObject = (int) Math.min(Integer.MAX_VALUE - 64, Math.max(1, bytes / 8));
    HttpCache cache = new HttpCache(CacheSettings.of(bytes, maxObject), Clock.systemUTC());
    return new ResponseCaching(cache, new CollapsedForwarding(Duration.ofSeconds(5), TimeoutScheduler.of(loops), System::nanoTime));
  }

  /** The replica's HTTP cache, or null with {@code --cache-size 0}. */
  public ResponseCaching caching() {
    return caching;
  }

  private void bind() throws IOException, InterruptedException {
    ProxyContext http = new ProxyContext(config, upstreams, stats, options.proxy(), "http", traffic, caching);
    httpPort = bindProxy(options.httpPort(), new HttpServerInitializer(http, null, connections, options.h2c()));
    if (options.httpsPort() != DataplaneOptions.NO_PORT) {
      ProxyContext https = new ProxyContext(config, upstreams, stats, options.proxy(), "https", traffic, caching);
      SniContextMapping sni = new SniContextMapping(() -> config.current().certificates());
      httpsPort = bindProxy(options.httpsPort(), new HttpServerInitializer(https, sni, connections));
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(io)
            .channel(transport.serverChannel())
            .childHandler(new AdminServerInitializer(new AdminHandler(config, metrics, shutdownDelay, caching)));
    // No SO_REUSEPORT here even with --reuse-port: health and metrics must reach the replica they are about.
    admin = bindOrThrow(b, options.adminPort(), "admin");
    adminPort = ((InetSocketAddress) admin.localAddress()).getPort();
  }

  private int bindProxy(int port, ChannelHandler initializer) throws IOException, InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(io)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            // A client may send its request and then FIN while it waits for the answer (RFC 9112
            // 9.6): keep the connection open for the answer; the proxy closes it afterwards.
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
            .childHandler(initializer);
    if (options.reusePort()) {
      b.option(transport.reusePortOption(), true);
    }
    Channel ch = bindOrThrow(b, port, "proxy");
    listeners.add(ch);
    return ((InetSocketAddress) ch.localAddress()).getPort();
  }

  private Channel bindOrThrow(ServerBootstrap b, int port, String what) throws IOException, InterruptedException {
    InetSocketAddress address = new InetSocketAddress(options.bindAddress(), port);
    var f = b.bind(address).await();
    if (!f.isSuccess()) {
      throw new IOException("cannot bind " + what + " listener to " + address + ": " + f.cause().getMessage(), f.cause());
    }
    return f.channel();
  }

  private void startControlChannel() {
    if (!options.hasController()) {
      return;
    }
    ControlChannelSettings settings =
        ControlChannelSettings.of(options.controllerHost(), options.controllerPort(), options.replicaId(), options.token())
            .withIntervals(options.heartbeatInterval(), options.reportInterval())
            .withTlsDir(options.controlTlsDir());
    if (options.controlTlsDir() == null) {
      log.warn("control channel: no --control-tls-dir, dialling controller {}:{} in PLAINTEXT (works only with a "
          + "controller started with --insecure-control-channel; for debugging only)", options.controllerHost(),
          options.controllerPort());
    }
    controller = new ControlChannelClient(settings, config, this::report, control, transport.socketChannel());
    controller.start();
  }

  private void shutdownGroups() {
    var a = io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    var b = control == null ? null : control.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    a.awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (b != null) {
      b.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
