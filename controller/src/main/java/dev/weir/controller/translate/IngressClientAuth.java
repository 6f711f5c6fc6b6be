package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.ClientValidation;
import java.util.Map;
import java.util.Optional;

/**
 * Client certificate validation for an Ingress's TLS hosts, from the annotations ingress-nginx uses
 * (with Weir's prefix): {@value #SECRET} names a Secret with a {@code ca.crt} in the Ingress's
 * namespace ({@code name}, or {@code namespace/name} as ingress-nginx writes it, with the Ingress's
 * own namespace), and {@value #VERIFY} is {@code on} (the default), {@code optional} or {@code off}.
 */
final class IngressClientAuth {
  static final String SECRET = "weir.dev/auth-tls-secret";
  static final String VERIFY = "weir.dev/auth-tls-verify-client";

  private IngressClientAuth() {}

  /**
   * Empty when the Ingress asks for no client certificates; null when it asks and cannot have them
   * (problems recorded): then it must serve nothing, rather than serve its hosts without the check.
   */
  static Optional<ClientValidation> parse(Map<String, String> annotations, String namespace, TlsResolver tls, ObjectStatus status) {
    String secret = annotations == null ? null : annotations.get(SECRET);
    String verify = annotations == null ? null : annotations.get(VERIFY);
    if (secret == null) {
      if (verify != null && !"off".equalsIgnoreCase(verify)) {
        status.problem(Reason.Invalid, IngressAnnotations.field(VERIFY) + ": needs " + IngressAnnotations.field(SECRET));
        return null;
      }
      return Optional.empty();
    }
    boolean optional;
    if (verify == null || "on".equalsIgnoreCase(verify)) {
      optional = false;
    } else if ("optional".equalsIgnoreCase(verify)) {
      optional = true;
    } else if ("off".equalsIgnoreCase(verify)) {
      return Optional.empty();
    } else {
      status.problem(Reason.UnsupportedValue,
          IngressAnnotations.field(VERIFY) + ": unsupported value \"" + verify + "\", want \"on\", \"optional\" or \"off\"");
      return null;
    }
    String name = secret.trim();
    int slash = name.indexOf('/');
    if (slash >= 0) {
      if (!name.substring(0, slash).equals(namespace)) {
        status.problem(Reason.Invalid, IngressAnnotations.field(SECRET) + ": \"" + secret
            + "\" is in another namespace; an Ingress may only use Secrets of its own namespace (" + namespace + ")");
        return null;
      }
      name = name.substring(slash + 1);
    }
    TlsResolver.CaResolution ca = tls.resolveCa(namespace, name);
    if (!ca.ok()) {
      status.problem(ca.reason(), IngressAnnotations.field(SECRET) + ": " + ca.message());
      return null;
    }
    return Optional.of(new ClientValidation(ca.pem(), optional));
  }
}
