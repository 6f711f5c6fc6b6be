package dev.weir.dataplane.app;

import dev.weir.dataplane.accesslog.AccessLogTarget;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.tls.TlsPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a {@link Dataplane} is started with. Ports of 0 mean "any free port" (the bound ones
 * are on the Dataplane); {@link #NO_PORT} for {@code httpsPort} means no HTTPS listener.
 *
 * @param bindAddress address the HTTP(S) and admin listeners bind to
 * @param controllerHost with {@code controllerPort}: where the controller listens; null for none
 * @param token bootstrap token for the controller ("" for none)
 * @param controlTlsDir the mounted dataplane TLS Secret ({@code tls.crt}, {@code tls.key}, {@code ca.crt}) for
 *     mutual TLS with the controller, or null to dial it in plaintext
 * @param replicaId this replica's id in hellos and reports
 * @param stateDir where the applied snapshot is persisted (and loaded from at start), or null
 * @param staticSnapshot a snapshot file to serve instead of talking to a controller, or null
 * @param reusePort bind with SO_REUSEPORT, so that several processes can share the ports
 * @param ioThreads event loop threads for the listeners and upstream connections
 * @param heartbeatInterval control-channel heartbeat period (dead peer after three)
 * @param reportInterval control-channel report period
 * @param shutdownDelay how long {@link Dataplane#close()} (SIGTERM) or the admin {@code /drain} keeps accepting and
 *     serving with readiness failed, before the listeners close, so that endpoints catch up
 * @param drainTimeout how long {@link Dataplane#close()} then lets in-flight requests finish
 * @param tls TLS versions and cipher suites of the HTTPS listener
 * @param h2c the HTTP listener also speaks HTTP/2 without TLS (prior knowledge and {@code Upgrade: h2c})
 * @param accessLog where the JSON access log goes (stdout, a file, or off)
 * @param cacheSizeBytes the bound of the replica's HTTP cache (every route with a cache shares it; on the Java heap); 0 turns
 *     caching off
 */
public record DataplaneOptions(
    String bindAddress,
    int httpPort,
    int httpsPort,
    int adminPort,
    String controllerHost,
    int controllerPort,
    String token,
    String replicaId,
    Path stateDir,
    Path staticSnapshot,
    boolean reusePort,
    int ioThreads,
    ProxySettings proxy,
    Duration heartbeatInterval,
    Duration reportInterval,
    Duration drainTimeout,
    boolean h2c,
    TlsPolicy tls,
    Path controlTlsDir,
    Duration shutdownDelay,
    AccessLogTarget accessLog,
    long cacheSizeBytes) {

  public static final int NO_PORT = -1;
  /**
   * A quarter of the JVM's heap: the cache's bodies live on the heap, and the manifests give the heap 40%
   * of the container's memory limit (Netty's direct buffers and the rest need the remainder).
   */
  public static long defaultCacheSize() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  public DataplaneOptions {
    if (staticSnapshot != null && controllerHost != null) {
      throw new IllegalArgumentException("a static snapshot and a controller exclude each other");
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1");
    }
    token = token == null ? "" : token;
    proxy = proxy == null ? ProxySettings.defaults() : proxy;
    tls = tls == null ? TlsPolicy.DEFAULT : tls;
    shutdownDelay = shutdownDelay == null ? Duration.ZERO : shutdownDelay;
    if (shutdownDelay.isNegative() || drainTimeout == null || drainTimeout.isNegative()) {
      throw new IllegalArgumentException("shutdownDelay and drainTimeout must not be negative");
    }
    accessLog = accessLog == null ? AccessLogTarget.OFF : accessLog;
    if (cacheSizeBytes < 0) {
      throw new IllegalArgumentException("cacheSizeBytes must not be negative");
    }
  }

  public boolean hasController() {
    return controllerHost != null;
  }

  /** Defaults as on the command line: HTTP 8080, no HTTPS, admin 9901, all addresses, no controller, access log to stdout. */
  public static Builder builder() {
    return new Builder();
  }

  /** Defaults for tests and embedding: loopback, ephemeral HTTP and admin ports, two I/O threads, no access log. */
  public static Builder ephemeral() {
    return new Builder().bindAddress("127.0.0.1").httpPort(0).adminPort(0).ioThreads(2).accessLog(AccessLogTarget.OFF);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.bindAddress = bindAddress;
    b.httpPort = httpPort;
    b.httpsPort = httpsPort;
    b.adminPort = adminPort;
    b.controllerHost = controllerHost;
    b.controllerPort = controllerPort;
    b.token = token;
    b.replicaId = replicaId;
    b.stateDir = stateDir;
    b.staticSnapshot = staticSnapshot;
    b.reusePort = reusePort;
    b.ioThreads = ioThreads;
    b.proxy = proxy;
    b.heartbeatInterval = heartbeatInterval;
    b.reportInterval = reportInterval;
    b.drainTimeout = drainTimeout;
    b.h2c = h2c;
    b.tls = tls;
    b.controlTlsDir = controlTlsDir;
    b.shutdownDelay = shutdownDelay;
    b.accessLog = accessLog;
    b.cacheSizeBytes = cacheSizeBytes;
    return b;
  }

  public static final class Builder {
    private String bindAddress = "0.0.0.0";
    private int httpPort = 8080;
    private int httpsPort = NO_PORT;
    private int adminPort = 9901;
    private String controllerHost;
    private int controllerPort;
    private String token = "";
    private String replicaId = defaultReplicaId();
    private Path stateDir;
    private Path staticSnapshot;
    private boolean reusePort;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private ProxySettings proxy = ProxySettings.defaults();
    private Duration heartbeatInterval = Duration.ofSeconds(5);
    private Duration reportInterval = Duration.ofSeconds(10);
    private Duration drainTimeout = Duration.ofSeconds(25);
    private boolean h2c = true;
    private TlsPolicy tls = TlsPolicy.DEFAULT;
    private Path controlTlsDir;
    private Duration shutdownDelay = Duration.ZERO;
    private AccessLogTarget accessLog = AccessLogTarget.STDOUT;
    private long cacheSizeBytes = defaultCacheSize();

    private Builder() {}

    public Builder bindAddress(String v) { bindAddress = v; return this; }
    public Builder httpPort(int v) { httpPort = v; return this; }
    public Builder httpsPort(int v) { httpsPort = v; return this; }
    public Builder adminPort(int v) { adminPort = v; return this; }
    public Builder controller(String host, int port) { controllerHost = host; controllerPort = port; return this; }
    public Builder token(String v) { token = v; return this; }
    public Builder replicaId(String v) { replicaId = v; return this; }
    public Builder stateDir(Path v) { stateDir = v; return this; }
    public Builder staticSnapshot(Path v) { staticSnapshot = v; return this; }
    public Builder reusePort(boolean v) { reusePort = v; return this; }
    public Builder ioThreads(int v) { ioThreads = v; return this; }
    public Builder proxy(ProxySettings v) { proxy = v; return this; }
    public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
    public Builder reportInterval(Duration v) { reportInterval = v; return this; }
    public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }
    public Builder h2c(boolean v) { h2c = v; return this; }
    public Builder tls(TlsPolicy v) { tls = v; return this; }
    public Builder controlTlsDir(Path v) { controlTlsDir = v; return this; }
    public Builder shutdownDelay(Duration v) { shutdownDelay = v; return this; }
    public Builder accessLog(AccessLogTarget v) { accessLog = v; return this; }
    public Builder cacheSizeBytes(long v) { cacheSizeBytes = v; return this; }

    public DataplaneOptions build() {
      return new DataplaneOptions(
          bindAddress, httpPort, httpsPort, adminPort, controllerHost, controllerPort, token, replicaId, stateDir,
          staticSnapshot, reusePort, ioThreads, proxy, heartbeatInterval, reportInterval, drainTimeout, h2c, tls,
          controlTlsDir, shutdownDelay, accessLog, cacheSizeBytes);
    }
  }

  /** Host name and process id, e.g. {@code web-7d9f-abcde-12}: unique per pod and per process. */
  public static String defaultReplicaId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "dataplane";
      }
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
