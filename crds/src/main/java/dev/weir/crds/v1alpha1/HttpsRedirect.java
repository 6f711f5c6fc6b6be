package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * What a plain-HTTP request for the route gets when the route has TLS: by default a {@code 308} to the same
 * URL with {@code https://}, as Contour and ingress-nginx do. Omitted, or an empty object, means the defaults.
 * Rules with {@code permitInsecure: true} are served over plain HTTP all the same.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpsRedirect {
  /** The status codes a redirect may have: the permanent and temporary ones, with and without "keep the method". */
  public static final List<Integer> STATUS_CODES = List.of(301, 302, 307, 308);
  public static final int DEFAULT_STATUS_CODE = 308;

  /** false: serve plain HTTP as well as HTTPS. */
  @Default("true")
  private Boolean enabled = Boolean.TRUE;

  /**
   * 301, 302, 307 or 308 (the default; unlike 301 and 302 it keeps the method and body of a POST). An
   * Integer without a Java-side check, so that a value the API server did not validate deserialises and
   * gets Accepted=False.
   */
  @Default("308")
  @ValidationRule(value = "self in [301, 302, 307, 308]", message = "statusCode must be 301, 302, 307 or 308")
  private Integer statusCode = DEFAULT_STATUS_CODE;

  public HttpsRedirect() {}

  public HttpsRedirect(boolean enabled, int statusCode) {
    this.enabled = enabled;
    this.statusCode = statusCode;
  }

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getStatusCode() {
    return statusCode;
  }

  public void setStatusCode(Integer statusCode) {
    this.statusCode = statusCode;
  }
}
