package dev.weir.controller.translate;

import dev.weir.crds.v1alpha1.RouteBackend;
import dev.weir.snapshot.UpstreamProtocol;
import java.util.Locale;
import java.util.Set;

/**
 * How the protocol spoken to a backend is chosen: an explicit value (ProxyRoute
 * {@code backends[].protocol}, Ingress annotation {@code weir.dev/backend-protocol}) or else the Service
 * port's {@code appProtocol}; whether it is wrapped in TLS is decided alongside ({@link UpstreamTlsRequest}).
 * GRPC is an alias of H2C: gRPC is HTTP/2, and the dataplane passes trailers.
 */
final class UpstreamProtocols {
  /** {@code appProtocol} values that mean HTTP/2 cleartext (compared case-insensitively). */
  static final Set<String> H2C_APP_PROTOCOLS = Set.of("kubernetes.io/h2c", "h2c", "grpc");
  /**
   * {@code appProtocol} values that mean the port speaks TLS (HTTP/1.1 inside unless asked otherwise):
   * the IANA name {@code https} and the Kubernetes-standard {@code kubernetes.io/wss} (WebSocket over TLS),
   * as Contour reads {@code kubernetes.io/wss}.
   */
  static final Set<String> TLS_APP_PROTOCOLS = Set.of("https", "kubernetes.io/wss");

  private UpstreamProtocols() {}

  /** A ProxyRoute's {@code protocol} (the CRD enum, case-sensitive), or null when it is none of them. */
  static UpstreamProtocol fromProxyRoute(String value) {
    for (RouteBackend.Protocol p : RouteBackend.Protocol.values()) {
      if (p.name().equals(value)) {
        return p == RouteBackend.Protocol.HTTP1 ? UpstreamProtocol.HTTP1 : UpstreamProtocol.H2C;
      }
    }
    return null;
  }

  /**
   * The Ingress annotation, ingress-nginx style and case-insensitive: HTTP or HTTP1, H2C, GRPC, and over
   * TLS HTTPS (HTTP/1.1) and GRPCS (HTTP/2); else null.
   */
  static UpstreamProtocol fromAnnotation(String value) {
    return switch (value == null ? "" : value.toUpperCase(Locale.ROOT)) {
      case "HTTP", "HTTP1", "HTTPS" -> UpstreamProtocol.HTTP1;
      case "H2C", "GRPC", "GRPCS" -> UpstreamProtocol.H2C;
      default -> null;
    };
  }

  /** Whether the (valid) annotation value asks for TLS: HTTPS and GRPCS. */
  static boolean annotationAsksForTls(String value) {
    String v = value.toUpperCase(Locale.ROOT);
    return v.equals("HTTPS") || v.equals("GRPCS");
  }

  /** Whether a Service port's {@code appProtocol} says it speaks TLS (compared case-insensitively). */
  static boolean impliesTls(String appProtocol) {
    return appProtocol != null && TLS_APP_PROTOCOLS.contains(appProtocol.toLowerCase(Locale.ROOT));
  }

  /** What a Service port's {@code appProtocol} implies: H2C for the values above, HTTP1 for anything else. */
  static UpstreamProtocol fromAppProtocol(String appProtocol) {
    return appProtocol != null && H2C_APP_PROTOCOLS.contains(appProtocol.toLowerCase(Locale.ROOT))
        ? UpstreamProtocol.H2C
        : UpstreamProtocol.HTTP1;
  }
}
