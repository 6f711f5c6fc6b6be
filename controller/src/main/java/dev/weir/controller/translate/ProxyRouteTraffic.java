package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.crds.v1alpha1.RouteLoadBalancer;
import dev.weir.crds.v1alpha1.RouteRetries;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A ProxyRoute rule's {@code loadBalancer} and {@code retries} → {@link LoadBalancer} and {@link RetryPolicy}.
 * Each returns null (with every problem recorded) when the value is invalid; the caller then serves nothing of
 * the rule, as for an invalid timeout: a rule that asked for affinity or for no retries is not served without.
 */
final class ProxyRouteTraffic {
  /** Bodies kept for replay are held in memory: more than this per request is refused. */
  static final long MAX_BUFFERED_BODY = 16L << 20;

  private ProxyRouteTraffic() {}

  /** Omitted: {@link LoadBalancer#DEFAULT}. */
  static LoadBalancer loadBalancer(RouteLoadBalancer spec, String field, ObjectStatus status) {
    if (spec == null) {
      return LoadBalancer.DEFAULT;
    }
    LoadBalancer.Policy policy = LoadBalancer.Policy.LEAST_REQUEST;
    if (spec.getPolicy() != null) {
      policy = switch (spec.getPolicy()) {
        case "RoundRobin" -> LoadBalancer.Policy.ROUND_ROBIN;
        case "LeastRequest" -> LoadBalancer.Policy.LEAST_REQUEST;
        case "RingHash" -> LoadBalancer.Policy.RING_HASH;
        case "Maglev" -> LoadBalancer.Policy.MAGLEV;
        default -> null;
      };
      if (policy == null) {
        status.problem(Reason.UnsupportedValue, field + ".policy: unsupported value \"" + spec.getPolicy()
            + "\", want RoundRobin, LeastRequest, RingHash or Maglev");
        return null;
      }
    }
    boolean hashing = policy == LoadBalancer.Policy.RING_HASH || policy == LoadBalancer.Policy.MAGLEV;
    RouteLoadBalancer.HashOn on = spec.getHashOn();
    if (!hashing) {
      if (on != null) {
        status.problem(Reason.Invalid, field + ".hashOn: only goes with policy RingHash or Maglev, not " + spec.getPolicy());
        return null;
      }
      return LoadBalancer.of(policy);
    }
    if (on == null) {
      status.problem(Reason.Invalid, field + ".hashOn: required with policy " + spec.getPolicy()
          + " (a header, a cookie or clientAddress: true)");
      return null;
    }
    int given = (on.getHeader() != null ? 1 : 0) + (on.getCookie() != null ? 1 : 0)
        + (Boolean.TRUE.equals(on.getClientAddress()) ? 1 : 0);
    if (given != 1) {
      status.problem(Reason.Invalid, field + ".hashOn: needs exactly one of header, cookie or clientAddress: true");
      return null;
    }
    if (on.getHeader() != null) {
      String problem = MatchRules.checkHeaderName(on.getHeader());
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".hashOn.header: " + problem);
        return null;
      }
      return new LoadBalancer(policy, LoadBalancer.HashOn.HEADER, on.getHeader().toLowerCase(Locale.ROOT), 0);
    }
    if (on.getCookie() != null) {
      String name = on.getCookie().getName();
      String problem = name == null || name.isEmpty() ? "must be set" : MatchRules.checkHeaderName(name);
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".hashOn.cookie.name: " + problem);
        return null;
      }
      long ttl = 0;
      if (on.getCookie().getTtl() != null) {
        Parsed p = Durations.parse(on.getCookie().getTtl());
        if (!p.ok() || p.value() % 1000 != 0) {
          status.problem(Reason.Invalid, field + ".hashOn.cookie.ttl: "
              + (p.ok() ? "\"" + on.getCookie().getTtl() + "\" is not a whole number of seconds" : p.problem()));
          return null;
        }
        ttl = p.value() / 1000;
      }
      return new LoadBalancer(policy, LoadBalancer.HashOn.COOKIE, name, ttl);
    }
    return new LoadBalancer(policy, LoadBalancer.HashOn.CLIENT_ADDRESS, null, 0);
  }

  /**
   * Omitted: {@link RetryPolicy#DEFAULT}; omitted fields take its values (2 attempts, connect-failure and
   * reset). {@code attempts: 1} is {@link RetryPolicy#NONE}, whatever else is set. Listing
   * {@code retriableStatusCodes} implies {@code retriable-status}; {@code retriable-status} without codes is invalid.
   */
  static RetryPolicy retries(RouteRetries spec, String field, ObjectStatus status) {
    if (spec == null) {
      return RetryPolicy.DEFAULT;
    }
    boolean valid = true;
    int attempts = spec.getAttempts() == null ? RetryPolicy.DEFAULT.attempts() : spec.getAttempts();
    if (attempts < 1 || attempts > 10) {
      status.problem(Reason.Invalid, field + ".attempts: must be 1 to 10, got " + attempts);
      valid = false;
    }
    TreeSet<Integer> codes = new TreeSet<>();
    if (spec.getRetriableStatusCodes() != null) {
      for (Integer code : spec.getRetriableStatusCodes()) {
        if (code == null || code < 500 || code > 599) {
          status.problem(Reason.Invalid, field + ".retriableStatusCodes: must be 5xx codes, got " + code);
          valid = false;
        } else {
          codes.add(code);
        }
      }
    }
    TreeSet<Integer> on = new TreeSet<>(); // indexes into RetryPolicy.CONDITIONS: a canonical order
    List<String> retryOn = spec.getRetryOn() == null ? RetryPolicy.DEFAULT.retryOn() : spec.getRetryOn();
    for (String c : retryOn) {
      int i = c == null ? -1 : RetryPolicy.CONDITIONS.indexOf(c);
      if (i < 0) {
        status.problem(Reason.UnsupportedValue, field + ".retryOn: unsupported value \"" + c
            + "\", want connect-failure, reset, timeout, 5xx or retriable-status");
        valid = false;
      } else {
        on.add(i);
      }
    }
    int retriable = RetryPolicy.CONDITIONS.indexOf("retriable-status");
    if (!codes.isEmpty()) {
      on.add(retriable);
    } else if (on.contains(retriable) && valid) {
      status.problem(Reason.Invalid, field + ".retryOn: retriable-status needs retriableStatusCodes, e.g. [503]");
      valid = false;
    }
    long perTry = duration(spec.getPerTryTimeout(), false, field + ".perTryTimeout", status);
    long base = 0;
    long max = 0;
    if (spec.getBackoff() != null) {
      base = duration(spec.getBackoff().getBase(), true, field + ".backoff.base", status);
      max = duration(spec.getBackoff().getMax(), true, field + ".backoff.max", status);
      if (base > 0 && max > 0 && base > max) {
        status.problem(Reason.Invalid, field + ".backoff: base " + spec.getBackoff().getBase()
            + " is longer than max " + spec.getBackoff().getMax());
        valid = false;
      }
    }
    valid &= perTry >= 0 && base >= 0 && max >= 0;
    long body = 0;
    if (spec.getMaxBufferedBodySize() != null) {
      Parsed p = Quantities.parseBytes(spec.getMaxBufferedBodySize());
      String problem = !p.ok() ? p.problem()
          : p.value() == 0 ? "\"" + spec.getMaxBufferedBodySize() + "\" must be above 0 (omit it for 64Ki)"
          : p.value() > MAX_BUFFERED_BODY ? "\"" + spec.getMaxBufferedBodySize() + "\" is larger than the maximum of 16Mi"
          : null;
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".maxBufferedBodySize: " + problem);
        valid = false;
      }
      body = p.value();
    }
    if (!valid) {
      return null;
    }
    if (attempts == 1) {
      return RetryPolicy.NONE;
    }
    List<String> conditions = new ArrayList<>();
    on.forEach(i -> conditions.add(RetryPolicy.CONDITIONS.get(i)));
    return new RetryPolicy(attempts, conditions, List.copyOf(codes), perTry, base, max,
        Boolean.TRUE.equals(spec.getNonIdempotent()), (int) body);
  }

  /** Milliseconds, 0 when omitted, -1 (with a problem recorded) when invalid. */
  private static long duration(String text, boolean positive, String field, ObjectStatus status) {
    if (text == null) {
      return 0;
    }
    Parsed p = Durations.parse(text);
    if (!p.ok()) {
      status.problem(Reason.Invalid, field + ": " + p.problem());
      return -1;
    }
    if (positive && p.value() == 0) {
      status.problem(Reason.Invalid, field + ": \"" + text + "\" must be above 0 (omit it for the default)");
      return -1;
    }
    return p.value();
  }
}
