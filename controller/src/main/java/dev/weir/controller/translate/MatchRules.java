package dev.weir.controller.translate;

import dev.weir.snapshot.PathMatch;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Syntax checks shared by the processors. Each returns null when the value is fine, else a message
 * fragment (the caller prefixes the field path).
 */
final class MatchRules {
  static final String ANY_HOST = "*";
  static final int MAX_HOST_LENGTH = 253;
  static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  private static final String LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
  private static final Pattern HOST = Pattern.compile("(\\*\\.)?" + LABEL + "(\\." + LABEL + ")*");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

  private MatchRules() {}

  /** A lowercase DNS name, optionally prefixed by {@code *.}, or {@code *} alone. */
  static String checkHost(String host) {
    if (host == null || host.isEmpty()) {
      return "host must not be empty";
    }
    if (ANY_HOST.equals(host)) {
      return null;
    }
    if (host.length() > MAX_HOST_LENGTH || !HOST.matcher(host).matches()) {
      return "invalid host \"" + host + "\" (want a lowercase DNS name, \"*.\" + name, or \"*\")";
    }
    return null;
  }

  /** Exact and prefix paths must be absolute; a regular expression must compile (java.util.regex). */
  static String checkPath(PathMatch.Type type, String value) {
    if (value == null || value.isEmpty()) {
      return "must not be empty";
    }
    if (type == PathMatch.Type.REGEX) {
      try {
        Pattern.compile(value);
        return null;
      } catch (PatternSyntaxException e) {
        return "invalid regular expression \"" + value + "\": " + e.getDescription() + " near index " + e.getIndex();
      }
    }
    if (!value.startsWith("/")) {
      return "\"" + value + "\" must start with '/'";
    }
    return null;
  }

  /**
   * Prefixes match whole path elements, so a trailing slash adds nothing: {@code /foo/} is {@code /foo}.
   * {@code /} stays {@code /}.
   */
  static String normalisePrefix(String value) {
    int end = value.length();
    while (end > 1 && value.charAt(end - 1) == '/') {
      end--;
    }
    return value.substring(0, end);
  }

  static String checkHeaderName(String name) {
    if (name == null || name.isEmpty()) {
      return "header name must not be empty";
    }
    return HEADER_NAME.matcher(name).matches() ? null : "invalid header name \"" + name + "\"";
  }

  /** Cookie names are tokens too (RFC 6265 §4.1.1). */
  static String checkCookieName(String name) {
    if (name == null || name.isEmpty()) {
      return "cookie name must not be empty";
    }
    return HEADER_NAME.matcher(name).matches() ? null : "invalid cookie name \"" + name + "\"";
  }

  static String checkMethod(String method) {
    return METHODS.contains(method) ? null : "unsupported method \"" + method + "\"";
  }

  /** How messages show a path match: the ProxyRoute API's words, e.g. {@code PathPrefix /api}. */
  static String describe(PathMatch path) {
    String kind = switch (path.type()) {
      case EXACT -> "Exact";
      case PREFIX -> "PathPrefix";
      case REGEX -> "RegularExpression";
    };
    return kind + " " + path.value();
  }
}
