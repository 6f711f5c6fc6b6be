package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.UpstreamTls;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Service port references → cluster names, and cluster names → {@link Cluster}s with the ready
 * endpoints of the Service's EndpointSlices.
 *
 * <p>A cluster is one Service port spoken to with one protocol and one TLS setting. It is named
 * {@code <namespace>/<service>:<port number>} for HTTP/1.1 and {@code <namespace>/<service>:<port number>/h2c}
 * for HTTP/2 cleartext, so that one Service port can serve routes of both kinds. The protocol is the one
 * asked for, or else what the Service port's {@code appProtocol} implies ({@link UpstreamProtocols}).
 * Over TLS ({@link UpstreamTlsRequest}) the name says the protocol ({@code /h2} for HTTP/2, nothing for
 * HTTP/1.1) and the TLS settings, {@code /tls=<server name>} plus {@code ,ca=<secret>} or {@code ,insecure}
 * (nothing: the default trust store), e.g. {@code web/api:443/tls=api.web.svc,ca=api-ca}: two routes that
 * reach one port with different settings get two clusters, never one with either's. A CA Secret that is
 * missing or invalid fails the reference (SecretNotFound, InvalidCertificate): the backend is never
 * reached unverified instead. Its endpoints come from the
 * EndpointSlices in the Service's namespace labelled {@code kubernetes.io/service-name=<service>} with
 * address type IPv4 or IPv6 (FQDN slices are skipped: the dataplane never resolves names). An endpoint
 * counts unless {@code conditions.ready} is false (unset means ready, as the API documents) or
 * {@code conditions.terminating} is true; its port is
 * the slice port whose name equals the Service port's name (null and "" both mean unnamed). The first
 * address of an endpoint is used (the API says they are fungible). Duplicates are removed and the list
 * is sorted (IPv4 numerically, then IPv6). Selector-less Services with hand-made slices work the same.
 * The Service's {@code weir.dev/} annotations give each of its clusters its {@link ClusterResilience}
 * ({@link ServiceAnnotations}).
 */
final class BackendResolver {
  static final Set<String> ADDRESS_TYPES = Set.of("IPv4", "IPv6");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  private static final Comparator<Endpoint> ENDPOINT_ORDER =
      Comparator.comparing((Endpoint e) -> addressKey(e.address())).thenComparingInt(Endpoint::port);

  /** Outcome of resolving one reference: a cluster name, or the reason and message of why not. */
  /**
   * @param serviceProblems the Service's invalid annotations ({@link ServiceAnnotations}), whether or not the
   *     reference resolved: each route to it reports them
   */
  record Resolution(String clusterName, Reason reason, String message, List<String> serviceProblems) {
    Resolution {
      serviceProblems = serviceProblems == null ? List.of() : serviceProblems;
    }

    static Resolution failed(Reason reason, String message) {
      return new Resolution(null, reason, message, List.of());
    }

    boolean ok() {
      return clusterName != null;
    }
  }

  /** Appended to the name of an H2C cluster. */
  static final String H2C_SUFFIX = "/h2c";
  /** Appended to the name of a cluster spoken to with HTTP/2 over TLS (before the TLS part). */
  static final String H2_SUFFIX = "/h2";

  private record Target(String namespace, String service, String portName, UpstreamProtocol protocol, UpstreamTls tls,
      ClusterResilience resilience) {}

  private final IndexView index;
  private final TlsResolver secrets;
  private final Map<String, Target> targets = new TreeMap<>();
  private final Map<String, ServiceAnnotations.Settings> settings = new TreeMap<>();

  /** @param secrets resolves the CA bundles of backends verified against one */
  BackendResolver(IndexView index, TlsResolver secrets) {
    this.index = index;
    this.secrets = secrets;
  }

  /**
   * A Service port given by number (ProxyRoute, Ingress {@code port.number}).
   *
   * @param protocol how to speak to it; null: as the port's {@code appProtocol} implies
   * @param tls whether to wrap it in TLS, and how to verify the backend
   */
  Resolution byNumber(String namespace, String service, int port, UpstreamProtocol protocol, UpstreamTlsRequest tls) {
    Service svc = index.service(namespace, service);
    if (svc == null) {
      return notFound(namespace, service);
    }
    Resolution unsupported = unsupported(svc, namespace, service);
    if (unsupported != null) {
      return unsupported;
    }
    String other = null;
    for (ServicePort p : ports(svc)) {
      if (p.getPort() != null && p.getPort() == port) {
        if (isTcp(p)) {
          return found(svc, p, protocol, tls);
        }
        other = p.getProtocol();
      }
    }
    return Resolution.failed(Reason.PortNotFound, "service " + namespace + "/" + service + " has no "
        + (other == null ? "" : "TCP ") + "port " + port + (other == null ? "" : " (only " + other + ")"));
  }

  /** A Service port given by name (Ingress {@code port.name}); the cluster still carries the number. */
  Resolution byName(String namespace, String service, String portName, UpstreamProtocol protocol, UpstreamTlsRequest tls) {
    Service svc = index.service(namespace, service);
    if (svc == null) {
      return notFound(namespace, service);
    }
    Resolution unsupported = unsupported(svc, namespace, service);
    if (unsupported != null) {
      return unsupported;
    }
    for (ServicePort p : ports(svc)) {
      if (portName.equals(p.getName()) && p.getPort() != null && isTcp(p)) {
        return found(svc, p, protocol, tls);
      }
    }
    return Resolution.failed(
        Reason.PortNotFound, "service " + namespace + "/" + service + " has no port named \"" + portName + "\"");
  }

  /** The clusters with these names, sorted by name; names this resolver never produced are skipped. */
  List<Cluster> clusters(Collection<String> names) {
    List<Cluster> clusters = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      Target t = targets.get(name);
      if (t != null) {
        clusters.add(new Cluster(name, endpoints(t), t.protocol(), t.tls(), t.resilience()));
      }
    }
    return clusters;
  }

  private List<Endpoint> endpoints(Target target) {
    Set<Endpoint> endpoints = new TreeSet<>(ENDPOINT_ORDER);
    for (EndpointSlice slice : index.slices(target.namespace(), target.service())) {
      if (!ADDRESS_TYPES.contains(slice.getAddressType()) || slice.getEndpoints() == null) {
        continue;
      }
      Integer port = slicePort(slice, target.portName());
      if (port == null) {
        continue;
      }
      for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : slice.getEndpoints()) {
        if (isReady(e.getConditions()) && e.getAddresses() != null && !e.getAddresses().isEmpty()) {
          String address = e.getAddresses().get(0);
          if (isIpLiteral(address)) {
            endpoints.add(new Endpoint(address, port));
          }
        }
      }
    }
    return List.copyOf(endpoints);
  }

  private static Integer slicePort(EndpointSlice slice, String portName) {
    if (slice.getPorts() == null) {
      return null;
    }
    for (EndpointPort p : slice.getPorts()) {
      if (normalise(p.getName()).equals(portName) && p.getPort() != null) {
        return p.getPort();
      }
    }
    return null;
  }

  private Resolution found(Service svc, ServicePort port, UpstreamProtocol asked, UpstreamTlsRequest tlsRequest) {
    String namespace = svc.getMetadata().getNamespace();
    String service = svc.getMetadata().getName();
    ServiceAnnotations.Settings annotations =
        settings.computeIfAbsent(namespace + "/" + service, k -> ServiceAnnotations.parse(svc));
    UpstreamProtocol protocol = asked != null ? asked : UpstreamProtocols.fromAppProtocol(port.getAppProtocol());
    String name = namespace + "/" + service + ":" + port.getPort();
    UpstreamTls tls = null;
    if (tlsRequest.on(port.getAppProtocol())) {
      String ca = null;
      if (tlsRequest.verify() && tlsRequest.caSecretName() != null) {
        TlsResolver.CaResolution r = secrets.resolveCa(namespace, tlsRequest.caSecretName());
        if (!r.ok()) {
          return new Resolution(null, r.reason(), r.message(), annotations.problems());
        }
        ca = r.pem();
      }
      tls = new UpstreamTls(tlsRequest.serverNameFor(namespace, service), ca, tlsRequest.verify());
      name += (protocol == UpstreamProtocol.H2C ? H2_SUFFIX : "") + "/tls=" + tls.serverName()
          + (!tls.verify() ? ",insecure" : ca != null ? ",ca=" + tlsRequest.caSecretName() : "");
    } else if (protocol == UpstreamProtocol.H2C) {
      name += H2C_SUFFIX;
    }
    targets.putIfAbsent(
        name, new Target(namespace, service, normalise(port.getName()), protocol, tls, annotations.resilience()));
    return new Resolution(name, null, null, annotations.problems());
  }

  private static Resolution notFound(String namespace, String service) {
    return Resolution.failed(Reason.BackendNotFound, "service " + namespace + "/" + service + " not found");
  }

  private static Resolution unsupported(Service svc, String namespace, String service) {
    if (svc.getSpec() != null && "ExternalName".equals(svc.getSpec().getType())) {
      return Resolution.failed(
          Reason.UnsupportedValue,
          "service " + namespace + "/" + service + " is of type ExternalName, which is not supported");
    }
    return null;
  }

  private static List<ServicePort> ports(Service svc) {
    return svc.getSpec() == null || svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
  }

  private static boolean isTcp(ServicePort p) {
    return p.getProtocol() == null || "TCP".equals(p.getProtocol());
  }

  /**
   * Ready and not terminating: a terminating endpoint gets no new requests (its in-flight ones finish on the
   * dataplane), even while it still says {@code serving: true} or, for a Service with
   * {@code publishNotReadyAddresses}, {@code ready: true}.
   */
  static boolean isReady(EndpointConditions conditions) {
    return conditions == null
        || (!Boolean.FALSE.equals(conditions.getReady()) && !Boolean.TRUE.equals(conditions.getTerminating()));
  }

  static String normalise(String portName) {
    return portName == null ? "" : portName;
  }

  static boolean isIpLiteral(String address) {
    return address != null && (IPV4.matcher(address).matches() || IPV6.matcher(address).matches());
  }

  /** Sort key: IPv4 numerically (each octet zero-padded), then IPv6 lexically. */
  static String addressKey(String address) {
    if (address.indexOf(':') >= 0) {
      return "6" + address.toLowerCase(java.util.Locale.ROOT);
    }
    StringBuilder key = new StringBuilder("4");
    for (String octet : address.split("\\.")) {
      key.append("000", 0, Math.max(0, 3 - octet.length())).append(octet).append('.');
    }
    return key.toString();
  }
}
