package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ingress-nginx's canary annotations. An Ingress with {@value #CANARY} {@code "true"} serves no routes of its
 * own; for each of its host+path pairs it adds to the primary Ingress (one without the annotation, same
 * namespace, host, path type and path):
 * <ul>
 *   <li>{@value #BY_HEADER}: a route matching that header with the value {@value #BY_HEADER_VALUE} (default
 *       {@code always}, as ingress-nginx's) that goes to the canary's backends; without a
 *       {@value #BY_HEADER_VALUE}, the value {@code never} keeps a request off the canary's weighted share;
 *   <li>{@value #BY_COOKIE}: a route matching that cookie with the value {@code always} that goes to the
 *       canary's backends, and {@code never} keeps a request off the weighted share (as ingress-nginx);
 *   <li>{@value #WEIGHT}: that share, out of {@value #WEIGHT_TOTAL} (default 100), of the primary route's
 *       traffic to the canary's backends.
 * </ul>
 * Precedence is ingress-nginx's: header, then cookie, then weight (other header or cookie values fall
 * through to the weight). {@value #BY_HEADER_PATTERN} is reported and ignored. The canary annotations of an
 * Ingress without {@value #CANARY} are ignored.
 */
final class IngressCanary {
  static final String CANARY = "weir.dev/canary";
  static final String BY_HEADER = "weir.dev/canary-by-header";
  static final String BY_HEADER_VALUE = "weir.dev/canary-by-header-value";
  static final String BY_COOKIE = "weir.dev/canary-by-cookie";
  static final String BY_HEADER_PATTERN = "weir.dev/canary-by-header-pattern";
  static final String WEIGHT = "weir.dev/canary-weight";
  static final String WEIGHT_TOTAL = "weir.dev/canary-weight-total";
  static final String ALWAYS = "always";
  static final String NEVER = "never";

  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,6}");

  /**
   * @param header lowercase header name, or null
   * @param headerNever whether {@code header: never} keeps requests on the primary (no explicit value given)
   * @param cookie cookie name, or null
   * @param weight share of the primary's traffic out of {@code total}; 0: none
   */
  record Canary(boolean on, String header, String headerValue, boolean headerNever, String cookie, int weight, int total) {
    static final Canary OFF = new Canary(false, null, null, false, null, 0, 100);
  }

  private IngressCanary() {}

  /** {@link Canary#OFF} for a primary Ingress; null when an annotation is invalid (recorded as problems). */
  static Canary parse(Map<String, String> a, ObjectStatus status) {
    if (a == null || a.get(CANARY) == null) {
      return Canary.OFF;
    }
    String on = a.get(CANARY).trim();
    if ("false".equalsIgnoreCase(on)) {
      return Canary.OFF;
    }
    if (!"true".equalsIgnoreCase(on)) {
      status.problem(Reason.Invalid, IngressAnnotations.field(CANARY) + ": \"" + on + "\" is not a boolean, want \"true\" or \"false\"");
      return null;
    }
    boolean valid = true;
    String header = a.get(BY_HEADER);
    String value = a.get(BY_HEADER_VALUE);
    boolean headerNever = false;
    if (header != null) {
      String problem = MatchRules.checkHeaderName(header.trim());
      if (problem != null) {
        status.problem(Reason.Invalid, IngressAnnotations.field(BY_HEADER) + ": " + problem);
        valid = false;
      }
      header = header.trim().toLowerCase(Locale.ROOT);
      if (value == null || value.isEmpty()) {
        value = ALWAYS;
        headerNever = true;
      }
    } else if (value != null) {
      status.problem(Reason.Invalid, IngressAnnotations.field(BY_HEADER_VALUE) + ": needs " + BY_HEADER);
      valid = false;
    }
    if (a.containsKey(BY_HEADER_PATTERN)) {
      status.problem(Reason.UnsupportedValue, IngressAnnotations.field(BY_HEADER_PATTERN) + ": not supported, ignored");
    }
    String cookie = a.get(BY_COOKIE) == null ? null : a.get(BY_COOKIE).trim();
    if (cookie != null) {
      String problem = MatchRules.checkCookieName(cookie);
      if (problem != null) {
        status.problem(Reason.Invalid, IngressAnnotations.field(BY_COOKIE) + ": " + problem);
        valid = false;
      }
    }
    int total = number(a, WEIGHT_TOTAL, 100, 1, status);
    int weight = number(a, WEIGHT, 0, 0, status);
    valid &= total >= 0 && weight >= 0;
    if (valid && weight > total) {
      status.problem(Reason.Invalid, IngressAnnotations.field(WEIGHT) + ": " + weight + " is above the total of " + total);
      valid = false;
    }
    if (valid && header == null && cookie == null && weight == 0) {
      status.problem(Reason.Invalid, IngressAnnotations.field(CANARY) + ": a canary needs " + BY_HEADER + ", "
          + BY_COOKIE + " or a " + WEIGHT + " above 0; it gets no traffic");
    }
    return valid ? new Canary(true, header, value, headerNever, cookie, weight, total) : null;
  }

  /** The annotation's value, {@code absent} without it, -1 (with a problem recorded) when invalid. */
  private static int number(Map<String, String> a, String annotation, int absent, int min, ObjectStatus status) {
    String text = a.get(annotation);
    if (text == null) {
      return absent;
    }
    if (!NUMBER.matcher(text.trim()).matches() || Integer.parseInt(text.trim()) < min) {
      status.problem(Reason.Invalid, IngressAnnotations.field(annotation) + ": \"" + text + "\" is not a whole number"
          + (min > 0 ? " above 0" : ""));
      return -1;
    }
    return Integer.parseInt(text.trim());
  }
}
