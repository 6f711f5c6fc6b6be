package dev.weir.dataplane.routing;

import java.util.Locale;

/** Turns a Host header (or a virtual host name) into the form the route table is keyed by. */
public final class HostNames {

  private HostNames() {}

  /**
   * Lowercases, strips a port and a trailing dot. {@code Shop.Example.COM:8080} becomes
   * {@code shop.example.com}; an IPv6 literal keeps its brackets ({@code [::1]:80} becomes {@code [::1]}).
   * Null becomes the empty string, which only the {@code *} virtual host matches.
   */
  public static String normalize(String host) {
    if (host == null || host.isEmpty()) {
      return "";
    }
    String h = host.trim();
    int end = h.length();
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      end = close < 0 ? h.length() : close + 1;
    } else {
      int colon = h.indexOf(':');
      if (colon >= 0) {
        end = colon;
      }
    }
    if (end > 0 && h.charAt(end - 1) == '.') {
      end--;
    }
    return h.substring(0, end).toLowerCase(Locale.ROOT);
  }

  /**
   * The wildcard virtual host name that {@code host} would match: {@code a.example.com} gives
   * {@code *.example.com}; a host with a single label (or none) gives null.
   */
  static String wildcardKey(String normalizedHost) {
    int dot = normalizedHost.indexOf('.');
    if (dot <= 0 || dot == normalizedHost.length() - 1) {
      return null;
    }
    return "*" + normalizedHost.substring(dot);
  }
}
