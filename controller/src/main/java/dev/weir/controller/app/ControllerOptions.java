package dev.weir.controller.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything {@code weir controller} can be told. Keep in step with {@link ControllerArgs} and the README.
 *
 * @param watchNamespaces empty = all namespaces
 * @param tokenFile file holding the bootstrap token dataplanes must present (alternative to tokenSecret / token)
 * @param tokenSecret {@code namespace/name} of a Secret (key {@code token}); created with a random token if missing
 * @param dataplaneService {@code namespace/name} of the dataplane Service whose address goes into Ingress status
 * @param statusAddresses fixed addresses for Ingress status instead of the Service's (local mode: 127.0.0.1)
 * @param caSecret {@code namespace/name} of the control-channel CA Secret (keys {@code ca.crt}, {@code ca.key});
 *     created when missing
 * @param caDir directory with the CA as files, the same without Kubernetes (excludes caSecret)
 * @param dataplaneTlsSecret {@code namespace/name} of the dataplanes' client-credentials Secret; null =
 *     {@code <caSecret namespace>/weir-dataplane-tls}
 * @param controlServerNames SANs of the controller's server certificate; empty = {@code ServerNames.defaults}
 * @param insecureControlChannel plaintext control channel (debugging only; a token is then required)
 * @param defaultCertificate {@code namespace/name} of a {@code kubernetes.io/tls} Secret served to TLS clients
 *     whose SNI name has no certificate of its own; null: the first certificate by name
 * @param leaseDuration how long a leader's Lease holds without renewal; renewal deadline and retry period
 *     are derived from it ({@link Leadership})
 */
public record ControllerOptions(
    String bindAddress,
    int controlPort,
    int adminPort,
    String className,
    Set<String> watchNamespaces,
    String token,
    Path tokenFile,
    String tokenSecret,
    String dataplaneService,
    List<String> statusAddresses,
    boolean leaderElection,
    String leaseNamespace,
    String leaseName,
    String identity,
    long heartbeatMillis,
    long holdoffMillis,
    long maxHoldoffMillis,
    String caSecret,
    Path caDir,
    String dataplaneTlsSecret,
    List<String> controlServerNames,
    boolean insecureControlChannel,
    String defaultCertificate,
    Duration leaseDuration) {

  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);

  public ControllerOptions {
    watchNamespaces = Set.copyOf(watchNamespaces);
    statusAddresses = List.copyOf(statusAddresses);
    controlServerNames = List.copyOf(controlServerNames);
  }

  public static ControllerOptions defaults() {
    return new ControllerOptions("0.0.0.0", 18000, 9902, "weir", Set.of(), null, null, null,
        "weir-system/weir-dataplane", List.of(), false, "weir-system", "weir-controller", hostname(),
        5000, 5, 200, null, null, null, List.of(), false, null, DEFAULT_LEASE_DURATION);
  }

  /** The CA (and the dataplane credentials under {@code dir/dataplane}) as files in {@code dir}. */
  public ControllerOptions withCaDir(Path dir) {
    return with(b -> b.caDir = dir);
  }

  public ControllerOptions withCaSecret(String ref) {
    return with(b -> b.caSecret = ref);
  }

  public ControllerOptions withControlServerNames(List<String> names) {
    return with(b -> b.controlServerNames = names);
  }

  /** Plaintext control channel: for debugging only, and only with a token. */
  public ControllerOptions withInsecureControlChannel() {
    return with(b -> b.insecureControlChannel = true);
  }

  public ControllerOptions withDefaultCertificate(String ref) {
    return with(b -> b.defaultCertificate = ref);
  }

  public ControllerOptions withPorts(int control, int admin) {
    return with(b -> {
      b.controlPort = control;
      b.adminPort = admin;
    });
  }

  public ControllerOptions withToken(String newToken) {
    return with(b -> b.token = newToken);
  }

  public ControllerOptions withStatusAddresses(List<String> addresses) {
    return with(b -> b.statusAddresses = addresses);
  }

  public ControllerOptions withLeaderElection(boolean enabled, String newIdentity) {
    return with(b -> {
      b.leaderElection = enabled;
      b.identity = newIdentity;
    });
  }

  public ControllerOptions withLeaseDuration(Duration duration) {
    return with(b -> b.leaseDuration = duration);
  }

  public ControllerOptions withHeartbeatMillis(long millis) {
    return with(b -> b.heartbeatMillis = millis);
  }

  public ControllerOptions withLease(String namespace, String name) {
    return with(b -> {
      b.leaseNamespace = namespace;
      b.leaseName = name;
    });
  }

  public ControllerOptions withWatchNamespaces(Set<String> namespaces) {
    return with(b -> b.watchNamespaces = namespaces);
  }

  /** A copy with some fields changed: one place that lists every component, instead of one per wither. */
  private ControllerOptions with(java.util.function.Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.build();
  }

  /** Mutable scratch copy of the record's components, used only by {@link #with}. */
  private static final class Fields {
    String bindAddress;
    int controlPort;
    int adminPort;
    String className;
    Set<String> watchNamespaces;
    String token;
    Path tokenFile;
    String tokenSecret;
    String dataplaneService;
    List<String> statusAddresses;
    boolean leaderElection;
    String leaseNamespace;
    String leaseName;
    String identity;
    long heartbeatMillis;
    long holdoffMillis;
    long maxHoldoffMillis;
    String caSecret;
    Path caDir;
    String dataplaneTlsSecret;
    List<String> controlServerNames;
    boolean insecureControlChannel;
    String defaultCertificate;
    Duration leaseDuration;

    Fields(ControllerOptions o) {
      bindAddress = o.bindAddress;
      controlPort = o.controlPort;
      adminPort = o.adminPort;
      className = o.className;
      watchNamespaces = o.watchNamespaces;
      token = o.token;
      tokenFile = o.tokenFile;
      tokenSecret = o.tokenSecret;
      dataplaneService = o.dataplaneService;
      statusAddresses = o.statusAddresses;
      leaderElection = o.leaderElection;
      leaseNamespace = o.leaseNamespace;
      leaseName = o.leaseName;
      identity = o.identity;
      heartbeatMillis = o.heartbeatMillis;
      holdoffMillis = o.holdoffMillis;
      maxHoldoffMillis = o.maxHoldoffMillis;
      caSecret = o.caSecret;
      caDir = o.caDir;
      dataplaneTlsSecret = o.dataplaneTlsSecret;
      controlServerNames = o.controlServerNames;
      insecureControlChannel = o.insecureControlChannel;
      defaultCertificate = o.defaultCertificate;
      leaseDuration = o.leaseDuration;
    }

    ControllerOptions build() {
      return new ControllerOptions(bindAddress, controlPort, adminPort, className, watchNamespaces, token, tokenFile,
          tokenSecret, dataplaneService, statusAddresses, leaderElection, leaseNamespace, leaseName, identity,
          heartbeatMillis, holdoffMillis, maxHoldoffMillis, caSecret, caDir, dataplaneTlsSecret, controlServerNames,
          insecureControlChannel, defaultCertificate, leaseDuration);
    }
  }

  static String hostname() {
    String env = System.getenv("POD_NAME");
    if (env != null && !env.isBlank()) return env;
    try {
      return java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
    } catch (java.net.UnknownHostException e) {
      return "controller-" + ProcessHandle.current().pid();
    }
  }
}
