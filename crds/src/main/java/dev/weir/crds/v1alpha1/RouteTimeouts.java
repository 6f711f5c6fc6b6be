package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Per-rule timeouts, as Gateway API durations: 1 to 4 of {@code <1..5 digits><h|m|s|ms>}, e.g.
 * {@code 15s}, {@code 500ms}, {@code 1h30m}; at most 24h. An omitted field keeps the dataplane's default.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(!has(self.request) || duration(self.request) <= duration('24h'))"
        + " && (!has(self.backendConnect) || duration(self.backendConnect) <= duration('24h'))"
        + " && (!has(self.idle) || duration(self.idle) <= duration('24h'))",
    message = "timeouts must not exceed 24h")
@ValidationRule(
    value = "(!has(self.backendConnect) || duration(self.backendConnect) > duration('0s'))"
        + " && (!has(self.idle) || duration(self.idle) > duration('0s'))",
    message = "backendConnect and idle must be above 0s (omit them for the dataplane's default)")
public class RouteTimeouts {
  /** Gateway API's duration syntax ({@code HTTPRouteTimeouts}). */
  public static final String DURATION_PATTERN = "^([0-9]{1,5}(h|m|s|ms)){1,4}$";

  /** The whole exchange, request head to the end of the response; {@code 0s}: no limit (the default). */
  @Pattern(DURATION_PATTERN)
  private String request;

  /** TCP connect to a backend endpoint. */
  @Pattern(DURATION_PATTERN)
  private String backendConnect;

  /** How long the backend may stay silent while the proxy waits for it. */
  @Pattern(DURATION_PATTERN)
  private String idle;

  public RouteTimeouts() {}

  public RouteTimeouts(String request, String backendConnect, String idle) {
    this.request = request;
    this.backendConnect = backendConnect;
    this.idle = idle;
  }

  public String getRequest() {
    return request;
  }

  public void setRequest(String request) {
    this.request = request;
  }

  public String getBackendConnect() {
    return backendConnect;
  }

  public void setBackendConnect(String backendConnect) {
    this.backendConnect = backendConnect;
  }

  public String getIdle() {
    return idle;
  }

  public void setIdle(String idle) {
    this.idle = idle;
  }
}
