package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;

/**
 * Terminate TLS for the route's hosts with a {@code kubernetes.io/tls} Secret in the route's namespace, and
 * redirect plain HTTP to HTTPS ({@link HttpsRedirect}; on unless {@code redirect.enabled: false}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteTls {
  @Required
  private String secretName;

  /** Null means the defaults: redirect with 308. */
  private HttpsRedirect redirect;

  /** Null means no client certificates are asked for. */
  private ClientValidation clientValidation;

  public RouteTls() {}

  public RouteTls(String secretName) {
    this.secretName = secretName;
  }

  public RouteTls(String secretName, HttpsRedirect redirect) {
    this.secretName = secretName;
    this.redirect = redirect;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public HttpsRedirect getRedirect() {
    return redirect;
  }

  public void setRedirect(HttpsRedirect redirect) {
    this.redirect = redirect;
  }

  public ClientValidation getClientValidation() {
    return clientValidation;
  }

  public void setClientValidation(ClientValidation clientValidation) {
    this.clientValidation = clientValidation;
  }
}
