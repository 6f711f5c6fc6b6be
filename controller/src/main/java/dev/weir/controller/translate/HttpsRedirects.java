package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.crds.v1alpha1.HttpsRedirect;
import dev.weir.crds.v1alpha1.RouteTls;
import dev.weir.snapshot.Route;
import java.util.List;

/**
 * Plain HTTP to HTTPS redirects ({@link dev.weir.snapshot.RoutePolicy#httpsRedirectStatus()}), decided in two steps.
 *
 * <ol>
 *   <li>The processors put on each route the status its object asks for on that host: a ProxyRoute with
 *       {@code spec.tls} asks for {@code spec.tls.redirect.statusCode} (308) on every route, except when
 *       {@code redirect.enabled} is false or the rule says {@code permitInsecure}; an Ingress asks for 308 (or
 *       its {@code weir.dev/ssl-redirect-code}) on the hosts its {@code spec.tls} lists, unless
 *       {@code weir.dev/ssl-redirect: "false"}.
 *   <li>{@link VirtualHostBuilder} keeps it only on hosts whose virtual host has a certificate in the
 *       snapshot ({@link #onHost}), whichever object's it is. A host without one (the Secret is missing or
 *       unusable) serves plain HTTP instead: a redirect to an HTTPS port with no certificate for the host (the
 *       handshake fails, or shows another host's certificate) would take the site down, and the Secret's
 *       problem is already reported (ResolvedRefs=False).
 * </ol>
 */
final class HttpsRedirects {
  static final int DEFAULT_STATUS = HttpsRedirect.DEFAULT_STATUS_CODE;
  static final List<Integer> STATUSES = HttpsRedirect.STATUS_CODES;
  /** How messages list the allowed statuses. */
  static final String WANT = "want 301, 302, 307 or 308";

  private HttpsRedirects() {}

  /**
   * The redirect status a ProxyRoute's {@code spec.tls} asks for: 0 without TLS or with
   * {@code redirect.enabled: false}; -1 (and a problem recorded) when {@code redirect.statusCode} is not one
   * of {@link #STATUSES}.
   */
  static int forProxyRoute(RouteTls tls, ObjectStatus status) {
    if (tls == null) {
      return 0;
    }
    HttpsRedirect redirect = tls.getRedirect();
    if (redirect == null) {
      return DEFAULT_STATUS;
    }
    Integer code = redirect.getStatusCode();
    if (code != null && !STATUSES.contains(code)) {
      status.problem(Reason.UnsupportedValue,
          "spec.tls.redirect.statusCode: unsupported value " + code + ", " + WANT);
      return -1;
    }
    if (Boolean.FALSE.equals(redirect.getEnabled())) {
      return 0;
    }
    return code == null ? DEFAULT_STATUS : code;
  }

  /** The route with {@code httpsRedirectStatus} set to {@code redirectStatus} (the same instance when it already is). */
  static Route withStatus(Route route, int redirectStatus) {
    if (route.policy().httpsRedirectStatus() == redirectStatus) {
      return route;
    }
    return route.withPolicy(route.policy().withHttpsRedirect(redirectStatus));
  }

  /** The route as served on a host with this certificate (null: none, so plain HTTP is served, no redirect). */
  static Route onHost(Route route, String certificate) {
    return certificate == null ? withStatus(route, 0) : route;
  }
}
