package dev.weir.crds.v1alpha1;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** A Service port in the route's namespace and its share of the rule's traffic. */
public class RouteBackend {
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

  public RouteBackend() {}

  public RouteBackend(String service, int port, int weight) {
    this.service = service;
    this.port = port;
    this.weight = weight;
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
}
