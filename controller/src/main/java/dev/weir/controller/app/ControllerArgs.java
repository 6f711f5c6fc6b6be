package dev.weir.controller.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Parses {@code weir controller} options into {@link ControllerOptions}; errors name the offending option. */
final class ControllerArgs {
  static final String USAGE = """
      usage: weir controller [options]
        --kubeconfig FILE          Kubernetes client config (default: in-cluster, then $KUBECONFIG / ~/.kube/config)
        --bind ADDR                listen address for control channel and admin (default 0.0.0.0)
        --control-port N           control channel port dataplanes dial (default 18000)
        --admin-port N             /healthz /readyz /metrics (default 9902)
        --class NAME               IngressClass name served (default weir)
        --watch-namespaces A,B     only these namespaces (default: all)
        --ca-secret NS/NAME        control-channel CA in this Secret (ca.crt, ca.key), created if missing; mutual TLS
        --ca-dir DIR               the CA as files DIR/ca.crt, DIR/ca.key instead (created if missing; no Kubernetes)
        --dataplane-tls-secret NS/NAME  where the dataplanes' client certificate is issued to (tls.crt, tls.key,
                                   ca.crt; default <ca-secret namespace>/weir-dataplane-tls; with --ca-dir:
                                   DIR/dataplane/)
        --control-server-names A,B SANs of the controller's certificate (default weir-controller, .NS, .NS.svc,
                                   .NS.svc.cluster.local, localhost, 127.0.0.1, ::1)
        --insecure-control-channel plaintext control channel, for debugging only (needs a token)
        --default-certificate NS/NAME  TLS Secret for clients whose SNI name has no certificate of its own
        --token-file FILE          bootstrap token dataplanes must also present (or env WEIR_TOKEN); optional with TLS
        --token-secret NS/NAME     read the token from this Secret (key 'token'), creating it if missing
        --dataplane-service NS/NAME  Service whose address goes into Ingress status (default weir-system/weir-dataplane)
        --status-address A[,B]     fixed addresses for Ingress status instead of the Service's
        --leader-election          elect a leader with a Lease; only the leader serves dataplanes and writes status
        --lease-namespace NS       (default $POD_NAMESPACE or weir-system)
        --lease-name NAME          (default weir-controller)
        --lease-duration D         how long the Lease holds unrenewed, e.g. 15s, 4s, 500ms (default 15s); the
                                   leader renews within 2/3 of it, candidates retry every 2/15 of it
        --identity ID              leader-election identity (default $POD_NAME or host-pid)
      """;

  record Parsed(ControllerOptions options, Path kubeconfig, boolean help) {}

  private ControllerArgs() {}

  static Parsed parse(String[] args) {
    ControllerOptions d = ControllerOptions.defaults();
    String bind = d.bindAddress();
    int control = d.controlPort();
    int admin = d.adminPort();
    String className = d.className();
    Set<String> namespaces = new HashSet<>();
    Path tokenFile = null;
    String tokenSecret = null;
    String dataplaneService = d.dataplaneService();
    List<String> addresses = new ArrayList<>();
    boolean leader = false;
    String podNs = System.getenv("POD_NAMESPACE");
    String leaseNs = podNs != null && !podNs.isBlank() ? podNs : d.leaseNamespace();
    String leaseName = d.leaseName();
    String identity = d.identity();
    Path kubeconfig = null;
    String caSecret = null;
    Path caDir = null;
    String dataplaneTlsSecret = null;
    List<String> serverNames = new ArrayList<>();
    boolean insecure = false;
    String defaultCertificate = null;
    Duration leaseDuration = d.leaseDuration();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> {
          return new Parsed(d, null, true);
        }
        case "--leader-election" -> leader = true;
        case "--kubeconfig" -> kubeconfig = Path.of(value(args, ++i, a));
        case "--bind" -> bind = value(args, ++i, a);
        case "--control-port" -> control = port(value(args, ++i, a), a);
        case "--admin-port" -> admin = port(value(args, ++i, a), a);
        case "--class" -> className = value(args, ++i, a);
        case "--watch-namespaces" -> namespaces.addAll(Arrays.asList(value(args, ++i, a).split(",")));
        case "--token-file" -> tokenFile = Path.of(value(args, ++i, a));
        case "--token-secret" -> tokenSecret = value(args, ++i, a);
        case "--dataplane-service" -> dataplaneService = value(args, ++i, a);
        case "--status-address" -> addresses.addAll(Arrays.asList(value(args, ++i, a).split(",")));
        case "--lease-namespace" -> leaseNs = value(args, ++i, a);
        case "--lease-name" -> leaseName = value(args, ++i, a);
        case "--lease-duration" -> leaseDuration = duration(value(args, ++i, a), a);
        case "--identity" -> identity = value(args, ++i, a);
        case "--ca-secret" -> caSecret = value(args, ++i, a);
        case "--ca-dir" -> caDir = Path.of(value(args, ++i, a));
        case "--dataplane-tls-secret" -> dataplaneTlsSecret = value(args, ++i, a);
        case "--control-server-names" -> serverNames.addAll(Arrays.asList(value(args, ++i, a).split(",")));
        case "--insecure-control-channel" -> insecure = true;
        case "--default-certificate" -> defaultCertificate = value(args, ++i, a);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    namespaces.removeIf(String::isBlank);
    addresses.removeIf(String::isBlank);
    serverNames.replaceAll(String::trim);
    serverNames.removeIf(String::isBlank);
    return new Parsed(new ControllerOptions(bind, control, admin, className, namespaces, null, tokenFile, tokenSecret,
        dataplaneService, addresses, leader, leaseNs, leaseName, identity, d.heartbeatMillis(), d.holdoffMillis(),
        d.maxHoldoffMillis(), caSecret, caDir, dataplaneTlsSecret, serverNames, insecure, defaultCertificate, leaseDuration), kubeconfig,
        false);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) throw new IllegalArgumentException(option + " needs a value");
    return args[i];
  }

  private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("([0-9]{1,6})(ms|s|m)");

  /** {@code 500ms}, {@code 15s}, {@code 1m}: from 100ms (renewals at a few per second) to 1h. */
  static Duration duration(String v, String option) {
    var m = DURATION.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " must be a duration such as 15s, 4s or 500ms, got " + v);
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
    if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(option + " must be between 100ms and 1h, got " + v);
    }
    return d;
  }

  private static int port(String v, String option) {
    try {
      int p = Integer.parseInt(v);
      if (p < 0 || p > 65535) throw new NumberFormatException();
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a port number 0..65535, got " + v);
    }
  }
}
