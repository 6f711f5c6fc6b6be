package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** A Service port in the route's namespace, its share of the rule's traffic and the protocol spoken to it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteBackend {
  /** How the dataplane speaks to the backend's endpoints. */
  public enum Protocol {
    /** HTTP/1.1. */
    HTTP1,
    /** HTTP/2 over cleartext with prior knowledge. */
    H2C,
    /** Same as H2C (gRPC runs over HTTP/2), for readability. */
    GRPC
  }

  @Required
  private String service;

  @Required
  @Min(1)
  @Max(65535)
  private Integer port;

  @Default("1")
  @Min(0)
  @Max(10000)
  private Integer weight = 1;

  /**
   * One of {@link Protocol}'s names; when omitted the Service port's {@code appProtocol} decides
   * ({@code kubernetes.io/h2c}, {@code h2c} or {@code grpc}: H2C; anything else: HTTP1). A string in Java
   * so that a value the API server did not validate deserialises and gets Accepted=False.
   */
  @SchemaFrom(type = Protocol.class)
  private String protocol;

  /**
   * Present (even {@code {}}): speak TLS to the endpoints (with ALPN h2 for H2C/GRPC, http/1.1 for HTTP1).
   * Omitted: plain TCP, unless the Service port's {@code appProtocol} is {@code https}.
   */
  private BackendTls tls;

  public RouteBackend() {}

  public RouteBackend(String service, int port, int weight) {
    this.service = service;
    this.port = port;
    this.weight = weight;
  }

  public RouteBackend(String service, int port, int weight, Protocol protocol) {
    this(service, port, weight);
    this.protocol = protocol == null ? null : protocol.name();
  }

  public String getService() {
    return service;
  }

  public void setService(String service) {
    this.service = service;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public BackendTls getTls() {
    return tls;
  }

  public void setTls(BackendTls tls) {
    this.tls = tls;
  }

  public String getProtocol() {
    return protocol;
  }

  public void setProtocol(String protocol) {
    this.protocol = protocol;
  }
}
