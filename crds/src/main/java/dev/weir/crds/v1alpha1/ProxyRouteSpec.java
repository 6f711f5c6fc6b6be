package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProxyRouteSpec {
  /** The IngressClass this route belongs to; the default class when omitted. */
  private String ingressClassName;

  @Required
  @Size(min = 1, max = 64)
  // Host syntax is checked by the controller (Accepted=False, reason Invalid), not by a CEL rule here: a regex
  // over list items of unbounded length exceeds the API server's CEL cost budget and the CRD would not install.
  private List<String> hosts = new ArrayList<>();

  private RouteTls tls;

  @Required
  @Size(min = 1, max = 64)
  private List<RouteRule> rules = new ArrayList<>();

  public String getIngressClassName() {
    return ingressClassName;
  }

  public void setIngressClassName(String ingressClassName) {
    this.ingressClassName = ingressClassName;
  }

  public List<String> getHosts() {
    return hosts;
  }

  public void setHosts(List<String> hosts) {
    this.hosts = hosts;
  }

  public RouteTls getTls() {
    return tls;
  }

  public void setTls(RouteTls tls) {
    this.tls = tls;
  }

  public List<RouteRule> getRules() {
    return rules;
  }

  public void setRules(List<RouteRule> rules) {
    this.rules = rules;
  }
}
