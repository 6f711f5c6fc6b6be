package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;

/**
 * When a failed attempt is tried again, always on another endpoint when the Service has one. Only idempotent
 * requests are retried unless {@code nonIdempotent}; a body is replayed only when it was at most
 * {@code maxBufferedBodySize}; nothing is retried once part of the response went to the client; every
 * Service caps retries with its retry budget ({@code weir.dev/retry-budget-percent}). Without
 * {@code retries} a rule retries once on connect failures and resets; {@code attempts: 1} turns retries off.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteRetries {
  /** The failure kinds of {@code retryOn}. */
  public static final List<String> CONDITIONS = List.of("connect-failure", "reset", "timeout", "5xx", "retriable-status");

  /** Tries in total, the first included; omitted: 2. */
  @Min(1)
  @Max(10)
  private Integer attempts;

  /**
   * Which failures: {@code connect-failure}, {@code reset} (closed or reset before a complete response head),
   * {@code timeout} (the per-try timeout), {@code 5xx}, {@code retriable-status} (the codes of
   * {@code retriableStatusCodes}, which it needs; the controller checks that). Omitted: connect-failure and reset.
   */
  @Size(max = 5)
  @SchemaFrom(type = RetryOnList.class)
  private List<String> retryOn;

  /** The 5xx codes {@code retriable-status} retries, e.g. {@code [503]}. */
  @Size(max = 16)
  @ValidationRule(value = "self.all(c, c >= 500 && c <= 599)", message = "retriableStatusCodes must be 5xx")
  private List<Integer> retriableStatusCodes;

  /** How long one attempt may wait for a response head (a Gateway API duration); omitted: only the rule's timeouts. */
  @Pattern(RouteTimeouts.DURATION_PATTERN)
  private String perTryTimeout;

  private RetryBackoff backoff;

  /** true: retry POST and PATCH too (the backends can take a request twice). */
  private Boolean nonIdempotent;

  /** Request bodies up to this size are kept for replay; a Kubernetes quantity, omitted: 64Ki. */
  @SchemaFrom(type = Quantity.class)
  @Pattern(RouteRule.MAX_BODY_SIZE_PATTERN)
  private String maxBufferedBodySize;

  /** The schema of {@code retryOn}: a list of the known names (the Java field takes any string). */
  public enum RetryOn {
    @com.fasterxml.jackson.annotation.JsonProperty("connect-failure") CONNECT_FAILURE,
    @com.fasterxml.jackson.annotation.JsonProperty("reset") RESET,
    @com.fasterxml.jackson.annotation.JsonProperty("timeout") TIMEOUT,
    @com.fasterxml.jackson.annotation.JsonProperty("5xx") STATUS_5XX,
    @com.fasterxml.jackson.annotation.JsonProperty("retriable-status") RETRIABLE_STATUS
  }

  /** Only for {@code @SchemaFrom}. */
  static final class RetryOnList extends java.util.ArrayList<RetryOn> {}

  public Integer getAttempts() {
    return attempts;
  }

  public void setAttempts(Integer attempts) {
    this.attempts = attempts;
  }

  public List<String> getRetryOn() {
    return retryOn;
  }

  public void setRetryOn(List<String> retryOn) {
    this.retryOn = retryOn;
  }

  public List<Integer> getRetriableStatusCodes() {
    return retriableStatusCodes;
  }

  public void setRetriableStatusCodes(List<Integer> retriableStatusCodes) {
    this.retriableStatusCodes = retriableStatusCodes;
  }

  public String getPerTryTimeout() {
    return perTryTimeout;
  }

  public void setPerTryTimeout(String perTryTimeout) {
    this.perTryTimeout = perTryTimeout;
  }

  public RetryBackoff getBackoff() {
    return backoff;
  }

  public void setBackoff(RetryBackoff backoff) {
    this.backoff = backoff;
  }

  public Boolean getNonIdempotent() {
    return nonIdempotent;
  }

  public void setNonIdempotent(Boolean nonIdempotent) {
    this.nonIdempotent = nonIdempotent;
  }

  public String getMaxBufferedBodySize() {
    return maxBufferedBodySize;
  }

  public void setMaxBufferedBodySize(String maxBufferedBodySize) {
    this.maxBufferedBodySize = maxBufferedBodySize;
  }

  /**
   * The wait before retry n is random in [0, min(max, base * 2^(n-1))] (full jitter). Gateway API durations;
   * omitted: 25ms and 250ms.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RetryBackoff {
    @Pattern(RouteTimeouts.DURATION_PATTERN)
    private String base;

    @Pattern(RouteTimeouts.DURATION_PATTERN)
    private String max;

    public RetryBackoff() {}

    public RetryBackoff(String base, String max) {
      this.base = base;
      this.max = max;
    }

    public String getBase() {
      return base;
    }

    public void setBase(String base) {
      this.base = base;
    }

    public String getMax() {
      return max;
    }

    public void setMax(String max) {
      this.max = max;
    }
  }
}
