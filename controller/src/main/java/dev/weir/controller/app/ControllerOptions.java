package dev.weir.controller.app;

import java.nio.file.Path;
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
    long maxHoldoffMillis) {

  public ControllerOptions {
    watchNamespaces = Set.copyOf(watchNamespaces);
    statusAddresses = List.copyOf(statusAddresses);
  }

  public static ControllerOptions defaults() {
    return new ControllerOptions("0.0.0.0", 18000, 9902, "weir", Set.of(), null, null, null,
        "weir-system/weir-dataplane", List.of(), false, "weir-system", "weir-controller", hostname(),
        5000, 5, 200);
  }

  public ControllerOptions withPorts(int control, int admin) {
    return new ControllerOptions(bindAddress, control, admin, className, watchNamespaces, token, tokenFile, tokenSecret,
        dataplaneService, statusAddresses, leaderElection, leaseNamespace, leaseName, identity, heartbeatMillis,
        holdoffMillis, maxHoldoffMillis);
  }

  public ControllerOptions withToken(String newToken) {
    return new ControllerOptions(bindAddress, controlPort, adminPort, className, watchNamespaces, newToken, tokenFile,
        tokenSecret, dataplaneService, statusAddresses, leaderElection, leaseNamespace, leaseName, identity,
        heartbeatMillis, holdoffMillis, maxHoldoffMillis);
  }

  public ControllerOptions withStatusAddresses(List<String> addresses) {
    return new ControllerOptions(bindAddress, controlPort, adminPort, className, watchNamespaces, token, tokenFile,
        tokenSecret, dataplaneService, addresses, leaderElection, leaseNamespace, leaseName, identity,
        heartbeatMillis, holdoffMillis, maxHoldoffMillis);
  }

  public ControllerOptions withLeaderElection(boolean enabled, String newIdentity) {
    return new ControllerOptions(bindAddress, controlPort, adminPort, className, watchNamespaces, token, tokenFile,
        tokenSecret, dataplaneService, statusAddresses, enabled, leaseNamespace, leaseName, newIdentity,
        heartbeatMillis, holdoffMillis, maxHoldoffMillis);
  }

  public ControllerOptions withHeartbeatMillis(long millis) {
    return new ControllerOptions(bindAddress, controlPort, adminPort, className, watchNamespaces, token, tokenFile,
        tokenSecret, dataplaneService, statusAddresses, leaderElection, leaseNamespace, leaseName, identity,
        millis, holdoffMillis, maxHoldoffMillis);
  }

  public ControllerOptions withLease(String namespace, String name) {
    return new ControllerOptions(bindAddress, controlPort, adminPort, className, watchNamespaces, token, tokenFile,
        tokenSecret, dataplaneService, statusAddresses, leaderElection, namespace, name, identity,
        heartbeatMillis, holdoffMillis, maxHoldoffMillis);
  }

  public ControllerOptions withWatchNamespaces(Set<String> namespaces) {
    return new ControllerOptions(bindAddress, controlPort, adminPort, className, namespaces, token, tokenFile,
        tokenSecret, dataplaneService, statusAddresses, leaderElection, leaseNamespace, leaseName, identity,
        heartbeatMillis, holdoffMillis, maxHoldoffMillis);
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
