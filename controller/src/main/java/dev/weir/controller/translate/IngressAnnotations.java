package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.UpstreamProtocol;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The few {@code weir.dev/} annotations an Ingress may carry, named and valued as ingress-nginx's
 * ({@code nginx.ingress.kubernetes.io/proxy-read-timeout} etc.), so that moving an Ingress over is a
 * matter of changing the prefix. They apply to every route of the Ingress:
 * <ul>
 *   <li>{@value #CONNECT_TIMEOUT}, {@value #READ_TIMEOUT} (how long the backend may stay silent) and
 *       {@value #REQUEST_TIMEOUT} (the whole exchange; {@code "0"} = none): seconds ({@code "30"}) or a
 *       duration ({@code "30s"}, {@code "1m30s"}), at most 24h; the first two must be above 0;
 *   <li>{@value #BODY_SIZE}: a Kubernetes quantity ({@code "8Mi"}, {@code "10M"}); {@code "0"} = no limit;
 *   <li>{@value #BACKEND_PROTOCOL}: {@code HTTP} / {@code HTTP1}, {@code H2C} or {@code GRPC} (= H2C),
 *       case-insensitive; without it each Service port's {@code appProtocol} decides.
 * </ul>
 */
final class IngressAnnotations {
  static final String CONNECT_TIMEOUT = "weir.dev/proxy-connect-timeout";
  static final String READ_TIMEOUT = "weir.dev/proxy-read-timeout";
  static final String REQUEST_TIMEOUT = "weir.dev/proxy-request-timeout";
  static final String BODY_SIZE = "weir.dev/proxy-body-size";
  static final String BACKEND_PROTOCOL = "weir.dev/backend-protocol";

  /**
   * What the annotations ask for.
   *
   * @param protocol for every backend of the Ingress; null: each Service port's {@code appProtocol} decides
   */
  record Settings(RoutePolicy policy, UpstreamProtocol protocol) {
    static final Settings DEFAULT = new Settings(RoutePolicy.DEFAULT, null);
  }

  private IngressAnnotations() {}

  /** The settings, or null when an annotation is invalid (each invalid one recorded as a problem). */
  static Settings parse(Map<String, String> annotations, ObjectStatus status) {
    if (annotations == null || annotations.isEmpty()) {
      return Settings.DEFAULT;
    }
    boolean valid = true;
    long[] timeouts = new long[3]; // connect, read (idle), request
    List<String> names = List.of(CONNECT_TIMEOUT, READ_TIMEOUT, REQUEST_TIMEOUT);
    for (int i = 0; i < names.size(); i++) {
      String value = annotations.get(names.get(i));
      if (value == null) {
        continue;
      }
      Parsed p = Durations.parseSecondsOrDuration(value);
      if (!p.ok()) {
        status.problem(Reason.Invalid, field(names.get(i)) + ": " + p.problem());
        valid = false;
      } else if (p.value() == 0 && !REQUEST_TIMEOUT.equals(names.get(i))) {
        status.problem(Reason.Invalid, field(names.get(i)) + ": \"" + value
            + "\" must be above 0 (remove the annotation for the dataplane's default)");
        valid = false;
      } else {
        timeouts[i] = p.value();
      }
    }
    long body = 0;
    String size = annotations.get(BODY_SIZE);
    if (size != null) {
      Parsed p = Quantities.parseBytes(size);
      if (p.ok()) {
        body = p.value();
      } else {
        status.problem(Reason.Invalid, field(BODY_SIZE) + ": " + p.problem());
        valid = false;
      }
    }
    UpstreamProtocol protocol = null;
    String asked = annotations.get(BACKEND_PROTOCOL);
    if (asked != null) {
      protocol = UpstreamProtocols.fromAnnotation(asked);
      if (protocol == null) {
        boolean tls = asked.toUpperCase(Locale.ROOT).matches("HTTPS|GRPCS");
        status.problem(Reason.UnsupportedValue, field(BACKEND_PROTOCOL) + ": unsupported value \"" + asked
            + "\", want HTTP, HTTP1, H2C or GRPC" + (tls ? " (TLS to backends is not supported)" : ""));
        valid = false;
      }
    }
    return valid ? new Settings(new RoutePolicy(timeouts[2], timeouts[0], timeouts[1], body), protocol) : null;
  }

  /** How messages name an annotation: Kubernetes' field path syntax for a map key. */
  static String field(String annotation) {
    return "metadata.annotations[" + annotation + "]";
  }
}
