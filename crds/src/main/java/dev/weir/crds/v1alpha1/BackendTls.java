package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * TLS from the dataplane to a backend, as Contour's upstream {@code protocol: tls} with {@code validation}.
 * Present (even empty) means TLS; the certificate is verified against {@code caSecretName}'s {@code ca.crt},
 * or else the publicly trusted CAs, and must be valid for {@code serverName} (the SNI sent too), unless
 * {@code insecureSkipVerify}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.caSecretName) && has(self.insecureSkipVerify) && self.insecureSkipVerify)",
    message = "caSecretName and insecureSkipVerify: true exclude each other")
public class BackendTls {
  /** A DNS subdomain (RFC 1123), as Kubernetes object names and SNI host names are. */
  public static final String DNS_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A Secret in the route's namespace whose {@code ca.crt} holds the PEM CA bundle to verify against. */
  @Size(max = 253)
  @Pattern(DNS_NAME_PATTERN)
  private String caSecretName;

  /** Sent as SNI; the backend's certificate must be valid for it. Default {@code <service>.<namespace>.svc}. */
  @Size(max = 253)
  @Pattern(DNS_NAME_PATTERN)
  private String serverName;

  /** true: accept any certificate, unverified. For debugging only. */
  private Boolean insecureSkipVerify;

  public BackendTls() {}

  public BackendTls(String caSecretName, String serverName, Boolean insecureSkipVerify) {
    this.caSecretName = caSecretName;
    this.serverName = serverName;
    this.insecureSkipVerify = insecureSkipVerify;
  }

  public String getCaSecretName() {
    return caSecretName;
  }

  public void setCaSecretName(String caSecretName) {
    this.caSecretName = caSecretName;
  }

  public String getServerName() {
    return serverName;
  }

  public void setServerName(String serverName) {
    this.serverName = serverName;
  }

  public Boolean getInsecureSkipVerify() {
    return insecureSkipVerify;
  }

  public void setInsecureSkipVerify(Boolean insecureSkipVerify) {
    this.insecureSkipVerify = insecureSkipVerify;
  }
}
