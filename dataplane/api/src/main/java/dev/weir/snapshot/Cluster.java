package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A set of interchangeable upstream endpoints, e.g. the ready pods behind one Service port.
 *
 * @param name e.g. {@code web/api:8080}
 * @param protocol how to speak to the endpoints; null means {@link UpstreamProtocol#HTTP1}
 * @param tls null: plain TCP; else TLS with these settings, under {@code protocol} (ALPN h2 for H2C,
 *     http/1.1 for HTTP1). Left out of the JSON when null.
 * @param resilience outlier ejection, health checks, slow start, circuit breakers and the retry
 *     budget of this cluster; null means {@link ClusterResilience#DEFAULT}
 */
public record Cluster(
    String name,
    List<Endpoint> endpoints,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Cluster.OmitHttp1.class) UpstreamProtocol protocol,
    @JsonInclude(JsonInclude.Include.NON_NULL) UpstreamTls tls,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = ClusterResilience.OmitDefault.class) ClusterResilience resilience) {
  public Cluster {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    protocol = protocol == null ? UpstreamProtocol.HTTP1 : protocol;
    resilience = resilience == null ? ClusterResilience.DEFAULT : resilience;
  }

  /** A cluster with the default resilience settings. */
  public Cluster(String name, List<Endpoint> endpoints, UpstreamProtocol protocol, UpstreamTls tls) {
    this(name, endpoints, protocol, tls, null);
  }

  /** A plain-TCP cluster. */
  public Cluster(String name, List<Endpoint> endpoints, UpstreamProtocol protocol) {
    this(name, endpoints, protocol, null);
  }

  /** An HTTP/1.1 cluster. */
  public Cluster(String name, List<Endpoint> endpoints) {
    this(name, endpoints, UpstreamProtocol.HTTP1);
  }

  /** A Jackson value filter that leaves the default protocol out of the JSON. */
  public static final class OmitHttp1 extends OmitWhenDefault {
    public OmitHttp1() {
      super(UpstreamProtocol.HTTP1);
    }
  }
}
