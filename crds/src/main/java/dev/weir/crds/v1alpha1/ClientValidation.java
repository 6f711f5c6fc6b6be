package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/**
 * Mutual TLS for the route's hosts: clients must present a certificate signed by the CA in
 * {@code caSecretName}'s {@code ca.crt} (a Secret in the route's namespace, of any type; cert-manager's
 * CA Secrets have it). The verified subject reaches the backends in {@code X-Client-Cert-Subject}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClientValidation {
  @Required
  private String caSecretName;

  /** true: clients without a certificate are served too (without the subject header); one they present must still verify. */
  @Default("false")
  private Boolean optional;

  public ClientValidation() {}

  public ClientValidation(String caSecretName, Boolean optional) {
    this.caSecretName = caSecretName;
    this.optional = optional;
  }

  public String getCaSecretName() {
    return caSecretName;
  }

  public void setCaSecretName(String caSecretName) {
    this.caSecretName = caSecretName;
  }

  public Boolean getOptional() {
    return optional;
  }

  public void setOptional(Boolean optional) {
    this.optional = optional;
  }
}
