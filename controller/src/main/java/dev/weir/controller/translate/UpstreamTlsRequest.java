package dev.weir.controller.translate;

import java.util.regex.Pattern;

/**
 * What a route asks of TLS to one backend, before the Service port is known: TLS on, off, or as the
 * port's {@code appProtocol} implies ({@link UpstreamProtocols#impliesTls}); and, when it is on, how
 * the backend's certificate is checked.
 *
 * @param caSecretName a Secret in the route's namespace whose {@code ca.crt} to verify against; null:
 *     the default trust store. Only used when {@code verify}.
 * @param serverName SNI and the name the certificate must match; null: {@code <service>.<namespace>.svc}
 * @param verify false: no verification at all
 */
record UpstreamTlsRequest(Mode mode, String caSecretName, String serverName, boolean verify) {
  enum Mode {
    ON,
    OFF,
    /** On when the Service port's appProtocol says TLS. */
    BY_APP_PROTOCOL
  }

  /** A ProxyRoute backend without {@code tls}: the appProtocol decides, and then verifies as {@code tls: {}} does. */
  static final UpstreamTlsRequest PROXY_ROUTE_DEFAULT = new UpstreamTlsRequest(Mode.BY_APP_PROTOCOL, null, null, true);

  /** An Ingress without proxy-ssl annotations: the appProtocol decides, and then, as ingress-nginx, no verification. */
  static final UpstreamTlsRequest INGRESS_DEFAULT = new UpstreamTlsRequest(Mode.BY_APP_PROTOCOL, null, null, false);

  /** RFC 1123 subdomain: what SNI carries (no IP literals, no trailing dot) and Kubernetes names are. */
  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  boolean on(String appProtocol) {
    return mode == Mode.ON || (mode == Mode.BY_APP_PROTOCOL && UpstreamProtocols.impliesTls(appProtocol));
  }

  /** The name to send and check for a backend Service. */
  String serverNameFor(String namespace, String service) {
    return serverName != null ? serverName : service + "." + namespace + ".svc";
  }

  /** Null when {@code name} can be sent as SNI, else what is wrong with it. */
  static String checkServerName(String name) {
    return checkDnsName(name, "a DNS name (lowercase RFC 1123, at most 253 characters)");
  }

  /** Null when {@code name} can be a Secret's name, else what is wrong with it. */
  static String checkSecretName(String name) {
    return checkDnsName(name, "a valid Secret name");
  }

  private static String checkDnsName(String name, String want) {
    if (name == null || name.isEmpty()) {
      return "must not be empty";
    }
    if (name.length() > 253 || !DNS_NAME.matcher(name).matches()) {
      return "\"" + name + "\" is not " + want;
    }
    return null;
  }
}
