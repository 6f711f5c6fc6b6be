package dev.weir.controller.watch;

import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteBackend;
import dev.weir.crds.v1alpha1.RouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.util.HashSet;
import java.util.Set;

/** Which Services and Secrets a route object names, so that unrelated changes don't trigger rebuilds. */
final class References {
  /** As {@code translate.IngressAnnotations.PROXY_SSL_SECRET} (package-private there). */
  static final String PROXY_SSL_SECRET = "weir.dev/proxy-ssl-secret";

  private References() {}

  static Set<String> services(ProxyRoute route) {
    Set<String> names = new HashSet<>();
    if (route.getSpec() == null || route.getSpec().getRules() == null) return names;
    for (RouteRule rule : route.getSpec().getRules()) {
      if (rule == null) continue;
      // A mirror is resolved like a backend: its Service and EndpointSlices must trigger rebuilds too.
      if (rule.getMirror() != null && rule.getMirror().getService() != null) names.add(rule.getMirror().getService());
      if (rule.getBackends() == null) continue;
      for (RouteBackend b : rule.getBackends()) {
        if (b != null && b.getService() != null) names.add(b.getService());
      }
    }
    return names;
  }

  /** The certificate and client CA Secrets of {@code spec.tls} and the CA Secrets of the backends' {@code tls.caSecretName}. */
  static Set<String> secrets(ProxyRoute route) {
    Set<String> names = new HashSet<>();
    if (route.getSpec() == null) return names;
    if (route.getSpec().getTls() != null && route.getSpec().getTls().getSecretName() != null) {
      names.add(route.getSpec().getTls().getSecretName());
    }
    var validation = route.getSpec().getTls() == null ? null : route.getSpec().getTls().getClientValidation();
    if (validation != null && validation.getCaSecretName() != null) names.add(validation.getCaSecretName());
    if (route.getSpec().getRules() == null) return names;
    for (RouteRule rule : route.getSpec().getRules()) {
      if (rule == null || rule.getBackends() == null) continue;
      for (RouteBackend b : rule.getBackends()) {
        if (b != null && b.getTls() != null && b.getTls().getCaSecretName() != null) names.add(b.getTls().getCaSecretName());
      }
    }
    return names;
  }

  static Set<String> services(Ingress ingress) {
    Set<String> names = new HashSet<>();
    if (ingress.getSpec() == null) return names;
    addService(names, ingress.getSpec().getDefaultBackend());
    if (ingress.getSpec().getRules() != null) {
      for (IngressRule rule : ingress.getSpec().getRules()) {
        if (rule.getHttp() == null || rule.getHttp().getPaths() == null) continue;
        for (HTTPIngressPath path : rule.getHttp().getPaths()) addService(names, path.getBackend());
      }
    }
    return names;
  }

  /** The Secrets of {@code spec.tls}, and the CA Secrets of the auth-tls-secret and proxy-ssl-secret annotations ({@code name} or {@code namespace/name}). */
  static Set<String> secrets(Ingress ingress) {
    Set<String> names = new HashSet<>();
    String clientCa = ingress.getMetadata() == null || ingress.getMetadata().getAnnotations() == null
        ? null : ingress.getMetadata().getAnnotations().get("weir.dev/auth-tls-secret");
    if (clientCa != null) names.add(clientCa.substring(clientCa.indexOf('/') + 1).trim());
    String ca = ingress.getMetadata() == null || ingress.getMetadata().getAnnotations() == null
        ? null
        : ingress.getMetadata().getAnnotations().get(PROXY_SSL_SECRET);
    if (ca != null) names.add(ca.substring(ca.indexOf('/') + 1));
    if (ingress.getSpec() == null || ingress.getSpec().getTls() == null) return names;
    for (IngressTLS tls : ingress.getSpec().getTls()) {
      if (tls.getSecretName() != null) names.add(tls.getSecretName());
    }
    return names;
  }

  private static void addService(Set<String> names, IngressBackend backend) {
    if (backend != null && backend.getService() != null && backend.getService().getName() != null) {
      names.add(backend.getService().getName());
    }
  }
}
