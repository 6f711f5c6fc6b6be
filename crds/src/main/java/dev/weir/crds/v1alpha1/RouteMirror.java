package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * A Service port in the route's namespace that gets a copy of every request of the rule, fire and forget:
 * its answers and failures never reach the client nor hold the real exchange up. Resolved as backends are
 * (the port's {@code appProtocol} says the protocol and whether TLS is spoken).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteMirror {
  @Required
  private String service;

  @Required
  @Min(1)
  @Max(65535)
  private Integer port;

  public RouteMirror() {}

  public RouteMirror(String service, int port) {
    this.service = service;
    this.port = port;
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
}
