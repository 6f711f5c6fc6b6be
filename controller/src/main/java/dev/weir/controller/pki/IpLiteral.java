package dev.weir.controller.pki;

import java.util.regex.Pattern;

/** Tells an IP address literal from a DNS name without a lookup (SANs of the two kinds are encoded differently). */
final class IpLiteral {
  private static final Pattern V4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

  private IpLiteral() {}

  static boolean is(String name) {
    return V4.matcher(name).matches() || (name.contains(":") && name.matches("[0-9a-fA-F:.]+"));
  }
}
