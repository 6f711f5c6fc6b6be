package dev.weir.controller.pki;

import java.util.List;

/** The names the controller's server certificate is valid for unless {@code --control-server-names} says otherwise. */
public final class ServerNames {
  /** The Service the dataplanes dial (deploy/base/controller.yaml). */
  public static final String SERVICE = "weir-controller";

  private ServerNames() {}

  /** The Service's in-cluster DNS names in {@code namespace}, plus the loopback names for local use. */
  public static List<String> defaults(String namespace) {
    return List.of(SERVICE, SERVICE + "." + namespace, SERVICE + "." + namespace + ".svc",
        SERVICE + "." + namespace + ".svc.cluster.local", "localhost", "127.0.0.1", "::1");
  }
}
