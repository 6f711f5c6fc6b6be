package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.UpstreamProtocol;
import java.util.List;
import java.util.Map;

/**
 * The few {@code weir.dev/} annotations an Ingress may carry, named and valued as ingress-nginx's
 * ({@code nginx.ingress.kubernetes.io/proxy-read-timeout} etc.), so that moving an Ingress over is a
 * matter of changing the prefix. They apply to every route of the Ingress:
 * <ul>
 *   <li>{@value #CONNECT_TIMEOUT}, {@value #READ_TIMEOUT} (how long the backend may stay silent) and
 *       {@value #REQUEST_TIMEOUT} (the whole exchange; {@code "0"} = none): seconds ({@code "30"}) or a
 *       duration ({@code "30s"}, {@code "1m30s"}), at most 24h; the first two must be above 0;
 *   <li>{@value #BODY_SIZE}: a Kubernetes quantity ({@code "8Mi"}, {@code "10M"}); {@code "0"} = no limit;
 *   <li>{@value #BACKEND_PROTOCOL}: {@code HTTP} / {@code HTTP1}, {@code H2C} or {@code GRPC} (= H2C), and
 *       over TLS {@code HTTPS} (HTTP/1.1) or {@code GRPCS} (HTTP/2, ALPN h2), case-insensitive; without it
 *       each Service port's {@code appProtocol} decides (TLS for {@code https} and {@code kubernetes.io/wss});
 *   <li>for backends spoken to over TLS: {@value #PROXY_SSL_VERIFY} {@code "on"} verifies the backend's
 *       certificate, against {@value #PROXY_SSL_SECRET}'s {@code ca.crt} (a Secret in the Ingress's
 *       namespace, {@code name} or {@code <namespace>/name}) or else the default trust store; {@code "off"}
 *       (the default, as with ingress-nginx) does not verify. {@value #PROXY_SSL_NAME} is the SNI sent and
 *       the name checked (default {@code <service>.<namespace>.svc}). Without TLS they change nothing;
 *   <li>{@value #SSL_REDIRECT}: {@code "false"} serves plain HTTP on the hosts of {@code spec.tls} too
 *       ({@code "true"}, the default: they redirect it to HTTPS; case-insensitive), and
 *       {@value #SSL_REDIRECT_CODE} the redirect's status: {@code "301"}, {@code "302"}, {@code "307"} or
 *       {@code "308"} (the default). Only hosts listed in {@code spec.tls} ever redirect (see {@link HttpsRedirects}).
 * </ul>
 */
final class IngressAnnotations {
  static final String CONNECT_TIMEOUT = "weir.dev/proxy-connect-timeout";
  static final String READ_TIMEOUT = "weir.dev/proxy-read-timeout";
  static final String REQUEST_TIMEOUT = "weir.dev/proxy-request-timeout";
  static final String BODY_SIZE = "weir.dev/proxy-body-size";
  static final String BACKEND_PROTOCOL = "weir.dev/backend-protocol";
  static final String SSL_REDIRECT = "weir.dev/ssl-redirect";
  static final String SSL_REDIRECT_CODE = "weir.dev/ssl-redirect-code";
  static final String PROXY_SSL_SECRET = "weir.dev/proxy-ssl-secret";
  static final String PROXY_SSL_VERIFY = "weir.dev/proxy-ssl-verify";
  static final String PROXY_SSL_NAME = "weir.dev/proxy-ssl-name";

  /**
   * What the annotations ask for.
   *
   * @param policy for every route of the Ingress, without the redirect (which depends on the host)
   * @param protocol for every backend of the Ingress; null: each Service port's {@code appProtocol} decides
   * @param httpsRedirectStatus for the routes on the hosts of {@code spec.tls}; 0: none
   * @param tls for every backend of the Ingress
   */
  record Settings(RoutePolicy policy, UpstreamProtocol protocol, int httpsRedirectStatus, UpstreamTlsRequest tls) {
    static final Settings DEFAULT =
        new Settings(RoutePolicy.DEFAULT, null, HttpsRedirects.DEFAULT_STATUS, UpstreamTlsRequest.INGRESS_DEFAULT);
  }

  private IngressAnnotations() {}

  /** The settings, or null when an annotation is invalid (each invalid one recorded as a problem). */
  static Settings parse(Map<String, String> annotations, ObjectStatus status) {
    if (annotations == null || annotations.isEmpty()) {
      return Settings.DEFAULT;
    }
    boolean valid = true;
    long[] timeouts = new long[3]; // connect, read (idle), request
    List<String> names = List.of(CONNECT_TIMEOUT, READ_TIMEOUT, REQUEST_TIMEOUT);
    for (int i = 0; i < names.size(); i++) {
      String value = annotations.get(names.get(i));
      if (value == null) {
        continue;
      }
      Parsed p = Durations.parseSecondsOrDuration(value);
      if (!p.ok()) {
        status.problem(Reason.Invalid, field(names.get(i)) + ": " + p.problem());
        valid = false;
      } else if (p.value() == 0 && !REQUEST_TIMEOUT.equals(names.get(i))) {
        status.problem(Reason.Invalid, field(names.get(i)) + ": \"" + value
            + "\" must be above 0 (remove the annotation for the dataplane's default)");
        valid = false;
      } else {
        timeouts[i] = p.value();
      }
    }
    long body = 0;
    String size = annotations.get(BODY_SIZE);
    if (size != null) {
      Parsed p = Quantities.parseBytes(size);
      if (p.ok()) {
        body = p.value();
      } else {
        status.problem(Reason.Invalid, field(BODY_SIZE) + ": " + p.problem());
        valid = false;
      }
    }
    UpstreamProtocol protocol = null;
    UpstreamTlsRequest.Mode tlsMode = UpstreamTlsRequest.Mode.BY_APP_PROTOCOL;
    String asked = annotations.get(BACKEND_PROTOCOL);
    if (asked != null) {
      protocol = UpstreamProtocols.fromAnnotation(asked);
      if (protocol == null) {
        status.problem(Reason.UnsupportedValue, field(BACKEND_PROTOCOL) + ": unsupported value \"" + asked
            + "\", want HTTP, HTTP1, H2C, GRPC, HTTPS or GRPCS");
        valid = false;
      } else {
        tlsMode = UpstreamProtocols.annotationAsksForTls(asked) ? UpstreamTlsRequest.Mode.ON : UpstreamTlsRequest.Mode.OFF;
      }
    }
    UpstreamTlsRequest tls = upstreamTls(annotations, status.ref().namespace(), tlsMode, status);
    valid &= tls != null;
    int redirect = httpsRedirect(annotations, status);
    valid &= redirect >= 0;
    return valid
        ? new Settings(new RoutePolicy(timeouts[2], timeouts[0], timeouts[1], body), protocol, redirect, tls)
        : null;
  }

  /**
   * The proxy-ssl-* annotations as ingress-nginx reads them: verification off unless {@code "on"}; the
   * Secret only used with it on (nginx's {@code proxy_ssl_trusted_certificate}; the client certificate
   * nginx also takes from it is not sent). Null (with problems recorded) when one is invalid.
   */
  private static UpstreamTlsRequest upstreamTls(
      Map<String, String> annotations, String namespace, UpstreamTlsRequest.Mode mode, ObjectStatus status) {
    boolean valid = true;
    boolean verify = false;
    String on = annotations.get(PROXY_SSL_VERIFY);
    if (on != null) {
      if ("on".equalsIgnoreCase(on)) {
        verify = true;
      } else if (!"off".equalsIgnoreCase(on)) {
        status.problem(Reason.Invalid, field(PROXY_SSL_VERIFY) + ": \"" + on + "\" is not valid, want \"on\" or \"off\"");
        valid = false;
      }
    }
    String secret = annotations.get(PROXY_SSL_SECRET);
    if (secret != null) {
      int slash = secret.indexOf('/');
      if (slash >= 0) {
        // nginx takes <namespace>/<name>; a Secret of another namespace is not the Ingress's to use.
        if (!secret.substring(0, slash).equals(namespace)) {
          status.problem(Reason.Invalid, field(PROXY_SSL_SECRET) + ": \"" + secret
              + "\" is in another namespace; an Ingress may only use Secrets of its own (" + namespace + ")");
          valid = false;
        }
        secret = secret.substring(slash + 1);
      }
      String problem = UpstreamTlsRequest.checkSecretName(secret);
      if (valid && problem != null) {
        status.problem(Reason.Invalid, field(PROXY_SSL_SECRET) + ": " + problem);
        valid = false;
      }
    }
    String name = annotations.get(PROXY_SSL_NAME);
    if (name != null) {
      String problem = UpstreamTlsRequest.checkServerName(name);
      if (problem != null) {
        status.problem(Reason.Invalid, field(PROXY_SSL_NAME) + ": " + problem);
        valid = false;
      }
    }
    return valid ? new UpstreamTlsRequest(mode, verify ? secret : null, name, verify) : null;
  }

  /** The redirect status for the TLS hosts, 0 when turned off, or -1 (with problems recorded) when invalid. */
  private static int httpsRedirect(Map<String, String> annotations, ObjectStatus status) {
    boolean valid = true;
    boolean enabled = true;
    String on = annotations.get(SSL_REDIRECT);
    if (on != null) {
      if ("false".equalsIgnoreCase(on)) {
        enabled = false;
      } else if (!"true".equalsIgnoreCase(on)) {
        status.problem(Reason.Invalid,
            field(SSL_REDIRECT) + ": \"" + on + "\" is not a boolean, want \"true\" or \"false\"");
        valid = false;
      }
    }
    int code = HttpsRedirects.DEFAULT_STATUS;
    String asked = annotations.get(SSL_REDIRECT_CODE);
    if (asked != null) {
      code = HttpsRedirects.STATUSES.stream().filter(c -> String.valueOf(c).equals(asked)).findFirst().orElse(-1);
      if (code < 0) {
        status.problem(Reason.UnsupportedValue,
            field(SSL_REDIRECT_CODE) + ": unsupported value \"" + asked + "\", " + HttpsRedirects.WANT);
        valid = false;
      }
    }
    if (!valid) {
      return -1;
    }
    return enabled ? code : 0;
  }

  /**
   * A switch: 1 for {@code "true"}, 0 for {@code "false"} or no annotation, -1 (with a problem recorded) for
   * anything else. Case-insensitive, surrounding spaces ignored.
   */
  static int flag(Map<String, String> annotations, String annotation, ObjectStatus status) {
    String value = annotations.get(annotation);
    if (value == null || "false".equalsIgnoreCase(value.trim())) {
      return 0;
    }
    if ("true".equalsIgnoreCase(value.trim())) {
      return 1;
    }
    status.problem(Reason.Invalid, field(annotation) + ": \"" + value + "\" is not a boolean, want \"true\" or \"false\"");
    return -1;
  }

  /** How messages name an annotation: Kubernetes' field path syntax for a map key. */
  static String field(String annotation) {
    return "metadata.annotations[" + annotation + "]";
  }
}
