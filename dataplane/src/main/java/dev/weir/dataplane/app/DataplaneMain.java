package dev.weir.dataplane.app;

import dev.weir.dataplane.accesslog.AccessLogTarget;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.tls.TlsPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code weir dataplane}: runs one replica until SIGTERM, then drains. When listening it prints
 * one line to stdout, which scripts parse:
 * {@code weir dataplane ready http=<port> https=<port or -> admin=<port> replica=<id>}; with
 * {@code --access-log stdout} (the default) the access log's JSON lines follow it, never precede it.
 */
public final class DataplaneMain {

  static final String USAGE =
      """
      usage: weir dataplane [options]
        --http-port N        HTTP listener port (default 8080; 0 = any free port)
        --https-port N       HTTPS listener port (default: no HTTPS listener)
        --admin-port N       admin port: /healthz /readyz /metrics (Prometheus: weir_dataplane_*) /snapshot
                             (default 9901)
        --bind ADDR          address to listen on (default 0.0.0.0)
        --controller H:P     controller to dial for snapshots
        --control-tls-dir DIR  mutual TLS with the controller: DIR holds tls.crt, tls.key and ca.crt
                             (the mounted Secret weir-dataplane-tls), re-read on every reconnect; without
                             it the dataplane dials in plaintext (--insecure-control-channel controllers)
        --token-file FILE    file with the controller bootstrap token, if the controller wants one
                             (default: env WEIR_TOKEN)
        --replica-id ID      replica id in reports (default: hostname-pid)
        --state-dir DIR      persist the applied snapshot here and serve it again at start
        --snapshot FILE      static mode: serve this snapshot file, never talk to a controller
        --reuse-port         bind with SO_REUSEPORT so several processes share the ports
        --io-threads N       event loop threads (default: number of cores)
        --no-h2c             HTTP listener speaks HTTP/1.1 only (default: also HTTP/2 cleartext,
                             by prior knowledge or Upgrade: h2c)
        --tls-min-version V  1.2 (TLS 1.2 and 1.3, default) or 1.3 (TLS 1.3 only) on the HTTPS port
        --tls-ciphers LIST   TLS 1.2 cipher suites, colon-separated, most preferred first (default:
                             the forward-secret AEAD suites HTTP/2 allows)
        --via                add "Via: 1.1 weir" to requests and responses (default: off)
        --connect-timeout D  default upstream connect timeout, e.g. 5s or 500ms (default 5s)
        --response-timeout D default time an upstream may stay silent mid-exchange (default 60s)
        --client-idle-timeout D  idle keep-alive client connections close after this (default 60s)
        --shutdown-delay D   on SIGTERM (or GET /drain on the admin port): fail /readyz at once but keep
                             accepting and serving for D, while endpoints and load balancers catch up
                             (default 0s; the Kubernetes manifests use 15s)
        --drain-timeout D    then stop accepting, close idle keep-alive connections, answer the next
                             request on busy ones with Connection: close (GOAWAY on HTTP/2), and give
                             in-flight requests D to finish before closing what is left (default 25s)
        --access-log T       stdout (default), off, or a FILE to append to: one JSON object per line
                             per request (time request_id client host method path protocol status
                             bytes_sent bytes_received duration_ms route upstream user_agent); lines
                             the writer cannot keep up with are dropped and counted in
                             weir_dataplane_access_log_dropped_total. On stdout they follow the ready line.
        --cache-size N       memory for the HTTP cache of routes with a cache, all routes together, e.g.
                             256Mi, 1Gi or 500M (default: a quarter of the JVM heap); 0 turns caching off
        --help               print this and exit
      """;

  private DataplaneMain() {}

  public static void main(String[] args) {
    DataplaneOptions options;
    try {
      options = parse(args, System.getenv());
    } catch (HelpRequested e) {
      System.out.print(USAGE);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("weir dataplane: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    Dataplane dataplane;
    PrintStream out = System.out;
    try {
      // The ready line is printed (and flushed) before the access log writer starts: on stdout it comes first.
      dataplane = Dataplane.start(options, d -> {
        out.println(readyLine(d));
        out.flush();
      });
    } catch (IllegalArgumentException e) {
      // An unreadable or invalid --snapshot file: an argument error like the others.
      System.err.println("weir dataplane: " + e.getMessage());
      System.exit(2);
      return;
    } catch (IOException e) {
      System.err.println("weir dataplane: " + e.getMessage());
      System.exit(1);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  dataplane.close();
                  stopped.countDown();
                },
                "weir-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String readyLine(Dataplane d) {
    String https = d.httpsPort() == DataplaneOptions.NO_PORT ? "-" : Integer.toString(d.httpsPort());
    return "weir dataplane ready http=" + d.httpPort() + " https=" + https + " admin=" + d.adminPort() + " replica=" + d.replicaId();
  }

  /** Thrown for {@code --help}. */
  static final class HelpRequested extends RuntimeException {
    HelpRequested() {
      super(null, null, false, false);
    }
  }

  /**
   * Parses the command line; throws {@link IllegalArgumentException} with a message fit for the
   * user, or {@link HelpRequested}.
   */
  static DataplaneOptions parse(String[] args, Map<String, String> env) {
    DataplaneOptions.Builder b = DataplaneOptions.builder();
    String controller = null;
    Path tokenFile = null;
    Path controlTlsDir = null;
    Path snapshot = null;
    ProxySettings proxy = ProxySettings.defaults();
    String tlsMin = TlsPolicy.DEFAULT.minVersion();
    java.util.List<String> tlsCiphers = java.util.List.of();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> throw new HelpRequested();
        case "--reuse-port" -> b.reusePort(true);
        case "--http-port" -> b.httpPort(port(arg, value(args, ++i, arg), true));
        case "--https-port" -> b.httpsPort(port(arg, value(args, ++i, arg), true));
        case "--admin-port" -> b.adminPort(port(arg, value(args, ++i, arg), true));
        case "--bind" -> b.bindAddress(nonBlank(arg, value(args, ++i, arg)));
        case "--controller" -> controller = value(args, ++i, arg);
        case "--token-file" -> tokenFile = Path.of(value(args, ++i, arg));
        case "--control-tls-dir" -> controlTlsDir = Path.of(value(args, ++i, arg));
        case "--replica-id" -> b.replicaId(nonBlank(arg, value(args, ++i, arg)));
        case "--state-dir" -> b.stateDir(Path.of(value(args, ++i, arg)));
        case "--snapshot" -> snapshot = Path.of(value(args, ++i, arg));
        case "--io-threads" -> b.ioThreads(positive(arg, value(args, ++i, arg)));
        case "--no-h2c" -> b.h2c(false);
        case "--via" -> proxy = proxy.withVia(true);
        case "--tls-min-version" -> tlsMin = value(args, ++i, arg);
        case "--tls-ciphers" -> tlsCiphers = TlsPolicy.parseCiphers(value(args, ++i, arg));
        case "--connect-timeout" -> proxy = proxy.withConnectTimeout(duration(arg, value(args, ++i, arg)));
        case "--response-timeout" -> proxy = proxy.withResponseTimeout(duration(arg, value(args, ++i, arg)));
        case "--client-idle-timeout" -> proxy = proxy.withClientIdleTimeout(duration(arg, value(args, ++i, arg)));
        case "--shutdown-delay" -> b.shutdownDelay(durationOrZero(arg, value(args, ++i, arg)));
        case "--drain-timeout" -> b.drainTimeout(duration(arg, value(args, ++i, arg)));
        case "--access-log" -> b.accessLog(AccessLogTarget.parse(value(args, ++i, arg)));
        case "--cache-size" -> b.cacheSizeBytes(bytes(arg, value(args, ++i, arg)));
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    if (controller != null && snapshot != null) {
      throw new IllegalArgumentException("--snapshot (static mode) and --controller exclude each other");
    }
    if (snapshot != null) {
      if (!Files.isReadable(snapshot)) {
        throw new IllegalArgumentException("--snapshot: cannot read " + snapshot);
      }
      b.staticSnapshot(snapshot);
    }
    if (controller != null) {
      int colon = controller.lastIndexOf(':');
      if (colon <= 0 || colon == controller.length() - 1) {
        throw new IllegalArgumentException("--controller must be HOST:PORT, got " + controller);
      }
      String host = controller.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      b.controller(host, port("--controller", controller.substring(colon + 1), false));
    }
    if (controlTlsDir != null) {
      if (controller == null) {
        throw new IllegalArgumentException("--control-tls-dir goes with --controller");
      }
      if (!Files.isDirectory(controlTlsDir)) {
        throw new IllegalArgumentException("--control-tls-dir: no such directory " + controlTlsDir);
      }
      b.controlTlsDir(controlTlsDir);
    }
    if (tokenFile != null) {
      try {
        b.token(Files.readString(tokenFile, StandardCharsets.UTF_8).trim());
      } catch (IOException e) {
        throw new IllegalArgumentException("--token-file: cannot read " + tokenFile + ": " + e.getMessage());
      }
    } else if (env.get("WEIR_TOKEN") != null) {
      b.token(env.get("WEIR_TOKEN").trim());
    }
    try {
      b.tls(new TlsPolicy(tlsMin, tlsCiphers));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tls-min-version: " + e.getMessage());
    }
    return b.proxy(proxy).build();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static String nonBlank(String option, String v) {
    if (v.isBlank()) {
      throw new IllegalArgumentException(option + " must not be empty");
    }
    return v;
  }

  private static int port(String option, String v, boolean zeroAllowed) {
    int p;
    try {
      p = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a port number, got " + v);
    }
    if (p < (zeroAllowed ? 0 : 1) || p > 65535) {
      throw new IllegalArgumentException(option + " must be a port number in " + (zeroAllowed ? 0 : 1) + "..65535, got " + v);
    }
    return p;
  }

  /** {@code 500ms}, {@code 5s}, {@code 2m}, or a bare number of seconds; more than zero. */
  static Duration duration(String option, String v) {
    String t = v.trim();
    try {
      Duration d;
      if (t.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      } else {
        d = Duration.ofSeconds(Long.parseLong(t));
      }
      if (d.isNegative() || d.isZero()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a duration above zero such as 500ms, 5s or 2m, got " + v);
    }
  }

  /** Like {@link #duration}, but {@code 0} (or {@code 0s}) is allowed too. */
  static Duration durationOrZero(String option, String v) {
    if (v.trim().matches("0+(ms|s|m)?")) {
      return Duration.ZERO;
    }
    return duration(option, v);
  }

  /** A byte count: a number with an optional Ki/Mi/Gi (1024s) or k/M/G (1000s) suffix, as Kubernetes quantities. */
  static long bytes(String option, String v) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,12})(Ki|Mi|Gi|k|M|G)?").matcher(v.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " must be a size such as 256Mi, 1Gi or 0, got " + v);
    }
    long n = Long.parseLong(m.group(1));
    long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
      case "Ki" -> 1L << 10;
      case "Mi" -> 1L << 20;
      case "Gi" -> 1L << 30;
      case "k" -> 1_000L;
      case "M" -> 1_000_000L;
      default -> 1_000_000_000L;
    };
    return Math.multiplyExact(n, unit);
  }

  private static int positive(String option, String v) {
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(option + " must be a positive number, got " + v);
  }
}
