package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The load balancing and retry annotations of an Ingress, named and valued as ingress-nginx's, for every
 * route of the Ingress:
 * <ul>
 *   <li>{@value #LOAD_BALANCE}: {@code round_robin}, {@code least_request} (the default; also for
 *       ingress-nginx's {@code ewma}, its nearest match), {@code ring_hash} or {@code maglev}; the last two
 *       need {@value #HASH_BY} or {@value #AFFINITY}.
 *   <li>{@value #HASH_BY}, nginx variables as ingress-nginx takes them: {@code $remote_addr} (or
 *       {@code $binary_remote_addr}) hashes the client address, {@code $http_x_user} the header
 *       {@code x-user}, {@code $cookie_session} the cookie {@code session}; a bare header name works too.
 *       Ring hash unless {@value #LOAD_BALANCE} says {@code maglev}. Other variables are unsupported.
 *   <li>{@value #AFFINITY} {@code cookie}: ring hash on the cookie {@value #COOKIE_NAME} (default
 *       {@value #DEFAULT_COOKIE}), set by the proxy when missing with {@code Max-Age}
 *       {@value #COOKIE_MAX_AGE} seconds (default: a session cookie). Excludes {@value #HASH_BY}.
 *   <li>{@value #NEXT_UPSTREAM}: a space-separated list of {@code error} (connect failure and reset),
 *       {@code timeout}, {@code invalid_header} (reset), {@code http_500}, {@code http_502},
 *       {@code http_503}, {@code http_504} (retriable status codes), {@code non_idempotent} (retry POST
 *       and PATCH too) or {@code off} (no retries). {@code http_403}, {@code http_404} and
 *       {@code http_429} are refused: only 5xx answers are retried. Default: connect failures and resets.
 *   <li>{@value #NEXT_UPSTREAM_TRIES}: tries in total, 1 to 10 ({@code "0"}, nginx's "unlimited", is 10);
 *       default 2.
 * </ul>
 */
final class IngressTraffic {
  static final String LOAD_BALANCE = "weir.dev/load-balance";
  static final String HASH_BY = "weir.dev/upstream-hash-by";
  static final String AFFINITY = "weir.dev/affinity";
  static final String COOKIE_NAME = "weir.dev/session-cookie-name";
  static final String COOKIE_MAX_AGE = "weir.dev/session-cookie-max-age";
  static final String NEXT_UPSTREAM = "weir.dev/proxy-next-upstream";
  static final String NEXT_UPSTREAM_TRIES = "weir.dev/proxy-next-upstream-tries";
  static final String DEFAULT_COOKIE = "WEIRAFFINITY";

  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");
  private static final Pattern VARIABLE = Pattern.compile("\\$(http|cookie)_([A-Za-z0-9_]+)");

  /** What a route gets from the annotations. */
  record Traffic(LoadBalancer loadBalancer, RetryPolicy retry) {
    static final Traffic DEFAULT = new Traffic(LoadBalancer.DEFAULT, RetryPolicy.DEFAULT);
  }

  private IngressTraffic() {}

  /** The traffic settings, or null when an annotation is invalid (each recorded as a problem). */
  static Traffic parse(Map<String, String> a, ObjectStatus status) {
    if (a == null || a.isEmpty()) {
      return Traffic.DEFAULT;
    }
    LoadBalancer lb = loadBalancer(a, status);
    RetryPolicy retry = retry(a, status);
    return lb == null || retry == null ? null : new Traffic(lb, retry);
  }

  private static LoadBalancer loadBalancer(Map<String, String> a, ObjectStatus status) {
    String balance = a.get(LOAD_BALANCE);
    LoadBalancer.Policy policy = LoadBalancer.Policy.LEAST_REQUEST;
    if (balance != null) {
      policy = switch (balance.trim().toLowerCase(Locale.ROOT)) {
        case "round_robin" -> LoadBalancer.Policy.ROUND_ROBIN;
        case "least_request", "ewma" -> LoadBalancer.Policy.LEAST_REQUEST;
        case "ring_hash" -> LoadBalancer.Policy.RING_HASH;
        case "maglev" -> LoadBalancer.Policy.MAGLEV;
        default -> null;
      };
      if (policy == null) {
        status.problem(Reason.UnsupportedValue, IngressAnnotations.field(LOAD_BALANCE) + ": unsupported value \""
            + balance + "\", want round_robin, least_request, ewma, ring_hash or maglev");
        return null;
      }
    }
    String hashBy = a.get(HASH_BY);
    String affinity = a.get(AFFINITY);
    if (hashBy != null && affinity != null) {
      status.problem(Reason.Invalid, IngressAnnotations.field(HASH_BY) + " and " + IngressAnnotations.field(AFFINITY)
          + " exclude each other");
      return null;
    }
    LoadBalancer.Policy hashPolicy = policy == LoadBalancer.Policy.MAGLEV ? policy : LoadBalancer.Policy.RING_HASH;
    if (hashBy != null) {
      return hashBy(hashBy.trim(), hashPolicy, status);
    }
    if (affinity != null) {
      if (!"cookie".equalsIgnoreCase(affinity.trim())) {
        status.problem(Reason.UnsupportedValue,
            IngressAnnotations.field(AFFINITY) + ": unsupported value \"" + affinity + "\", want cookie");
        return null;
      }
      String name = a.getOrDefault(COOKIE_NAME, DEFAULT_COOKIE).trim();
      String problem = MatchRules.checkHeaderName(name);
      if (problem != null) {
        status.problem(Reason.Invalid, IngressAnnotations.field(COOKIE_NAME) + ": " + problem);
        return null;
      }
      long maxAge = 0;
      String age = a.get(COOKIE_MAX_AGE);
      if (age != null) {
        if (!NUMBER.matcher(age.trim()).matches()) {
          status.problem(Reason.Invalid, IngressAnnotations.field(COOKIE_MAX_AGE) + ": \"" + age
              + "\" is not a whole number of seconds");
          return null;
        }
        maxAge = Long.parseLong(age.trim());
      }
      return new LoadBalancer(hashPolicy, LoadBalancer.HashOn.COOKIE, name, maxAge);
    }
    if (policy == LoadBalancer.Policy.RING_HASH || policy == LoadBalancer.Policy.MAGLEV) {
      status.problem(Reason.Invalid, IngressAnnotations.field(LOAD_BALANCE) + ": \"" + balance + "\" needs "
          + HASH_BY + " or " + AFFINITY + " (what to hash)");
      return null;
    }
    return LoadBalancer.of(policy);
  }

  private static LoadBalancer hashBy(String value, LoadBalancer.Policy policy, ObjectStatus status) {
    if (value.equals("$remote_addr") || value.equals("$binary_remote_addr")) {
      return new LoadBalancer(policy, LoadBalancer.HashOn.CLIENT_ADDRESS, null, 0);
    }
    var m = VARIABLE.matcher(value);
    if (m.matches()) {
      return m.group(1).equals("http")
          ? new LoadBalancer(policy, LoadBalancer.HashOn.HEADER, m.group(2).replace('_', '-').toLowerCase(Locale.ROOT), 0)
          : new LoadBalancer(policy, LoadBalancer.HashOn.COOKIE, m.group(2), 0);
    }
    if (!value.startsWith("$") && MatchRules.checkHeaderName(value) == null) {
      return new LoadBalancer(policy, LoadBalancer.HashOn.HEADER, value.toLowerCase(Locale.ROOT), 0);
    }
    status.problem(Reason.UnsupportedValue, IngressAnnotations.field(HASH_BY) + ": unsupported value \"" + value
        + "\", want $remote_addr, $http_<header>, $cookie_<name> or a header name");
    return null;
  }

  private static RetryPolicy retry(Map<String, String> a, ObjectStatus status) {
    String list = a.get(NEXT_UPSTREAM);
    String tries = a.get(NEXT_UPSTREAM_TRIES);
    if (list == null && tries == null) {
      return RetryPolicy.DEFAULT;
    }
    boolean valid = true;
    int attempts = RetryPolicy.DEFAULT.attempts();
    if (tries != null) {
      if (!NUMBER.matcher(tries.trim()).matches() || Integer.parseInt(tries.trim()) > 10) {
        status.problem(Reason.Invalid, IngressAnnotations.field(NEXT_UPSTREAM_TRIES) + ": \"" + tries
            + "\" is not a number of tries from 1 to 10 (0: 10)");
        valid = false;
      } else {
        attempts = Integer.parseInt(tries.trim());
        attempts = attempts == 0 ? 10 : attempts;
      }
    }
    TreeSet<Integer> on = new TreeSet<>();
    TreeSet<Integer> codes = new TreeSet<>();
    boolean nonIdempotent = false;
    boolean off = false;
    if (list == null) {
      RetryPolicy.DEFAULT.retryOn().forEach(c -> on.add(RetryPolicy.CONDITIONS.indexOf(c)));
    } else {
      for (String word : list.trim().split("\\s+")) {
        switch (word) {
          case "error" -> {
            on.add(RetryPolicy.CONDITIONS.indexOf("connect-failure"));
            on.add(RetryPolicy.CONDITIONS.indexOf("reset"));
          }
          case "timeout" -> on.add(RetryPolicy.CONDITIONS.indexOf("timeout"));
          case "invalid_header" -> on.add(RetryPolicy.CONDITIONS.indexOf("reset"));
          case "http_500", "http_502", "http_503", "http_504" -> codes.add(Integer.parseInt(word.substring(5)));
          case "non_idempotent" -> nonIdempotent = true;
          case "off" -> off = true;
          default -> {
            status.problem(Reason.UnsupportedValue, IngressAnnotations.field(NEXT_UPSTREAM) + ": unsupported value \""
                + word + "\", want error, timeout, invalid_header, http_500, http_502, http_503, http_504, "
                + "non_idempotent or off (only 5xx answers are retried)");
            valid = false;
          }
        }
      }
    }
    if (!valid) {
      return null;
    }
    if (off || attempts == 1 || (on.isEmpty() && codes.isEmpty())) {
      return RetryPolicy.NONE;
    }
    if (!codes.isEmpty()) {
      on.add(RetryPolicy.CONDITIONS.indexOf("retriable-status"));
    }
    List<String> conditions = new ArrayList<>();
    on.forEach(i -> conditions.add(RetryPolicy.CONDITIONS.get(i)));
    return new RetryPolicy(attempts, conditions, List.copyOf(codes), 0, 0, 0, nonIdempotent, 0);
  }
}
