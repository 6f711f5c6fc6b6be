package dev.weir.crds.v1alpha1;

import io.fabric8.generator.annotation.Required;

/** Terminate TLS for the route's hosts with a {@code kubernetes.io/tls} Secret in the route's namespace. */
public class RouteTls {
  @Required
  private String secretName;

  public RouteTls() {}

  public RouteTls(String secretName) {
    this.secretName = secretName;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }
}
