package dev.weir.controller.translate;

import dev.weir.snapshot.ClusterResilience;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A backend Service's {@code weir.dev/} annotations → its clusters' {@link ClusterResilience}: health is a
 * property of the Service, shared by every route to it, so it is said there rather than on each route.
 *
 * <ul>
 *   <li>Active health checks, on when {@value #HC_PATH} is set (a path starting with {@code /}):
 *       {@value #HC_HOST} (the Host sent; default the endpoint's address), {@value #HC_INTERVAL} (10s) and
 *       {@value #HC_TIMEOUT} (1s), seconds or durations above 0; {@value #HC_UNHEALTHY} (3) and
 *       {@value #HC_HEALTHY} (2), 1 to 100.
 *   <li>Passive outlier ejection: {@value #OUTLIER_5XX} (5) and {@value #OUTLIER_CONNECT} (3) failures in a
 *       row, 0 to 1000 ({@code "0"}: never eject for that kind); {@value #OUTLIER_BASE_EJECTION} (30s; the
 *       n-th ejection lasts n times it, at most 300s); {@value #OUTLIER_MAX_PERCENT} (50), 1 to 100.
 *   <li>{@value #SLOW_START}: a new endpoint's share grows from 10% to 100% over this duration ({@code "0"}: none).
 *   <li>Circuit breakers, per dataplane replica: {@value #MAX_CONNECTIONS}, {@value #MAX_PENDING},
 *       {@value #MAX_REQUESTS} (1024 each), 1 to 1000000.
 *   <li>{@value #RETRY_BUDGET}: retries in flight at most this share of the requests in flight (20), 1 to 100.
 * </ul>
 * An invalid value is reported on every route to the Service (ResolvedRefs=False, InvalidServiceAnnotation,
 * naming the Service and the annotation), and the default is used for that one setting: the Service keeps
 * being served, since refusing it would turn a typo in a tuning knob into an outage of every route to it.
 */
final class ServiceAnnotations {
  static final String HC_PATH = "weir.dev/health-check-path";
  static final String HC_HOST = "weir.dev/health-check-host";
  static final String HC_INTERVAL = "weir.dev/health-check-interval";
  static final String HC_TIMEOUT = "weir.dev/health-check-timeout";
  static final String HC_UNHEALTHY = "weir.dev/health-check-unhealthy-threshold";
  static final String HC_HEALTHY = "weir.dev/health-check-healthy-threshold";
  static final String OUTLIER_5XX = "weir.dev/outlier-consecutive-5xx";
  static final String OUTLIER_CONNECT = "weir.dev/outlier-consecutive-connect-failures";
  static final String OUTLIER_BASE_EJECTION = "weir.dev/outlier-base-ejection-time";
  static final String OUTLIER_MAX_PERCENT = "weir.dev/outlier-max-ejection-percent";
  static final String SLOW_START = "weir.dev/slow-start";
  static final String MAX_CONNECTIONS = "weir.dev/max-connections";
  static final String MAX_PENDING = "weir.dev/max-pending-requests";
  static final String MAX_REQUESTS = "weir.dev/max-requests";
  static final String RETRY_BUDGET = "weir.dev/retry-budget-percent";

  private static final Pattern INTEGER = Pattern.compile("[0-9]{1,9}");
  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9\\-._~!$&'()*+,;=:@/%?]*");

  /** The Service's settings and what was wrong with its annotations (messages naming Service and annotation). */
  record Settings(ClusterResilience resilience, List<String> problems) {
    static final Settings DEFAULT = new Settings(ClusterResilience.DEFAULT, List.of());
  }

  private ServiceAnnotations() {}

  static Settings parse(Service service) {
    Map<String, String> a = service.getMetadata() == null ? null : service.getMetadata().getAnnotations();
    if (a == null || a.keySet().stream().noneMatch(k -> k.startsWith("weir.dev/"))) {
      return Settings.DEFAULT;
    }
    String name = "service " + service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
    Reader r = new Reader(a, name);
    ClusterResilience.HealthCheck health = null;
    String path = a.get(HC_PATH);
    if (path != null && !PATH.matcher(path).matches()) {
      r.problem(HC_PATH, "\"" + path + "\" is not a path starting with '/'", "no active health check");
      path = null;
    }
    if (path != null) {
      String host = a.get(HC_HOST);
      if (host != null && UpstreamTlsRequest.checkServerName(host) != null) {
        r.problem(HC_HOST, UpstreamTlsRequest.checkServerName(host), "the default is used");
        host = null;
      }
      health = new ClusterResilience.HealthCheck(path, host, r.millis(HC_INTERVAL, false), r.millis(HC_TIMEOUT, false),
          r.integer(HC_UNHEALTHY, 1, 100), r.integer(HC_HEALTHY, 1, 100));
    } else {
      for (String k : List.of(HC_HOST, HC_INTERVAL, HC_TIMEOUT, HC_UNHEALTHY, HC_HEALTHY)) {
        if (a.containsKey(k) && a.get(HC_PATH) == null) {
          r.problem(k, "needs " + HC_PATH, "ignored");
        }
      }
    }
    ClusterResilience resilience = new ClusterResilience(
        never(r.integer(OUTLIER_5XX, 0, 1000), a.get(OUTLIER_5XX)),
        never(r.integer(OUTLIER_CONNECT, 0, 1000), a.get(OUTLIER_CONNECT)),
        r.millis(OUTLIER_BASE_EJECTION, false),
        0,
        r.integer(OUTLIER_MAX_PERCENT, 1, 100),
        r.millis(SLOW_START, true),
        r.integer(MAX_CONNECTIONS, 1, 1_000_000),
        r.integer(MAX_PENDING, 1, 1_000_000),
        r.integer(MAX_REQUESTS, 1, 1_000_000),
        r.integer(RETRY_BUDGET, 1, 100),
        0,
        health);
    return new Settings(resilience, List.copyOf(r.problems));
  }

  /** An annotation's "0" means never; in the snapshot 0 means the default and -1 never. */
  private static int never(int value, String text) {
    return value == 0 && "0".equals(text) ? -1 : value;
  }

  /** Reads one Service's annotations; every getter returns 0 (the default) for absent or invalid values. */
  private static final class Reader {
    private final Map<String, String> annotations;
    private final String service;
    private final List<String> problems = new ArrayList<>();

    Reader(Map<String, String> annotations, String service) {
      this.annotations = annotations;
      this.service = service;
    }

    void problem(String annotation, String what, String consequence) {
      problems.add(service + ": " + IngressAnnotations.field(annotation) + ": " + what + " (" + consequence + ")");
    }

    int integer(String annotation, int min, int max) {
      String text = annotations.get(annotation);
      if (text == null) {
        return 0;
      }
      String t = text.trim();
      if (!INTEGER.matcher(t).matches() || Integer.parseInt(t) < min || Integer.parseInt(t) > max) {
        problem(annotation, "\"" + text + "\" is not a whole number from " + min + " to " + max, "the default is used");
        return 0;
      }
      return Integer.parseInt(t);
    }

    /** Seconds ({@code "10"}) or a duration ({@code "500ms"}); {@code zero}: whether 0 is allowed. */
    long millis(String annotation, boolean zero) {
      String text = annotations.get(annotation);
      if (text == null) {
        return 0;
      }
      Parsed p = Durations.parseSecondsOrDuration(text.trim());
      if (!p.ok()) {
        problem(annotation, p.problem(), "the default is used");
        return 0;
      }
      if (!zero && p.value() == 0) {
        problem(annotation, "\"" + text + "\" must be above 0", "the default is used");
        return 0;
      }
      return p.value();
    }
  }
}
