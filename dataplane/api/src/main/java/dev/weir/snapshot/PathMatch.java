package dev.weir.snapshot;

/**
 * How a request path is matched.
 *
 * <p>{@code PREFIX} matches whole path elements, as the Kubernetes Ingress documentation says:
 * {@code /foo} matches {@code /foo}, {@code /foo/} and {@code /foo/bar} but not {@code /foobar};
 * {@code /} matches everything. {@code REGEX} is a Java regular expression that must match the
 * whole path (no query string).
 */
public record PathMatch(Type type, String value) {
  public enum Type { EXACT, PREFIX, REGEX }

  public static PathMatch exact(String value) {
    return new PathMatch(Type.EXACT, value);
  }

  public static PathMatch prefix(String value) {
    return new PathMatch(Type.PREFIX, value);
  }

  public static PathMatch regex(String value) {
    return new PathMatch(Type.REGEX, value);
  }
}
