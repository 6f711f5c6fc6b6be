package dev.weir.local;

import java.nio.file.Path;

/**
 * Options of {@code weir local}. Keep in step with {@link #USAGE} and the README: scripts drive them.
 *
 * @param httpsPort 0 disables the HTTPS listener
 * @param apiPort the embedded API server's port (0 = any free port; the kubeconfig says which)
 * @param stateDir where the kubeconfig (unless given), the control-channel CA (ca/) and each replica's persisted snapshot go
 */
public record LocalOptions(
    String bind, int httpPort, int httpsPort, int apiPort, Path kubeconfig, int replicas, boolean examples,
    Path examplesDir, Path stateDir) {

  public static final String USAGE = """
      usage: weir local [options]
        --http-port N      where you send HTTP traffic; all replicas share it (SO_REUSEPORT) (default 8080)
        --https-port N     where you send HTTPS traffic (default 8443; 0 = none)
        --api-port N       embedded Kubernetes API server port (default 6443; 0 = any free port)
        --kubeconfig FILE  where to write the kubeconfig for kubectl (default .weir/kubeconfig)
        --replicas N       dataplane replicas, each its own process (default 2)
        --no-examples      do not apply the routes in examples/ (the sample backends still run)
        --examples DIR     apply the YAML files of this directory instead (default examples/)
        --bind ADDR        address the replicas listen on (default 127.0.0.1)
        --state-dir DIR    (default .weir)
      """;

  public static LocalOptions defaults() {
    return new LocalOptions("127.0.0.1", 8080, 8443, 6443, null, 2, true, Path.of("examples"), Path.of(".weir"));
  }

  public Path kubeconfigPath() {
    return kubeconfig != null ? kubeconfig : stateDir.resolve("kubeconfig");
  }

  public static LocalOptions parse(String[] args) {
    LocalOptions d = defaults();
    String bind = d.bind;
    int http = d.httpPort;
    int https = d.httpsPort;
    int api = d.apiPort;
    Path kubeconfig = null;
    int replicas = d.replicas;
    boolean examples = true;
    Path examplesDir = d.examplesDir;
    Path stateDir = d.stateDir;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--http-port" -> http = port(value(args, ++i, a), a);
        case "--https-port" -> https = port(value(args, ++i, a), a);
        case "--api-port" -> api = port(value(args, ++i, a), a);
        case "--kubeconfig" -> kubeconfig = Path.of(value(args, ++i, a));
        case "--replicas" -> {
          replicas = integer(value(args, ++i, a), a);
          if (replicas < 1 || replicas > 16) throw new IllegalArgumentException("--replicas must be 1..16");
        }
        case "--no-examples" -> examples = false;
        case "--examples" -> examplesDir = Path.of(value(args, ++i, a));
        case "--bind" -> bind = value(args, ++i, a);
        case "--state-dir" -> stateDir = Path.of(value(args, ++i, a));
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    return new LocalOptions(bind, http, https, api, kubeconfig, replicas, examples, examplesDir, stateDir);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) throw new IllegalArgumentException(option + " needs a value");
    return args[i];
  }

  private static int integer(String v, String option) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number, got " + v);
    }
  }

  private static int port(String v, String option) {
    int p = integer(v, option);
    if (p < 0 || p > 65535) throw new IllegalArgumentException(option + " must be a port number 0..65535, got " + v);
    return p;
  }
}
