package dev.weir.controller.translate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes quantity strings → a whole number of bytes. A pure function, like {@link MatchRules}.
 *
 * <p>Accepted: a non-negative decimal number ({@code 1048576}, {@code 1.5}) with an optional decimal SI
 * suffix ({@code k M G T P E}, powers of 1000) or binary one ({@code Ki Mi Gi Ti Pi Ei}, powers of 1024),
 * as {@code resource.Quantity} writes them; the result must be a whole number of bytes, at most
 * {@link #MAX_BYTES}. Exponent forms ({@code 1e6}) and the milli suffix are not byte counts and are refused.
 * The same syntax as the CRD's {@code maxRequestBodySize} pattern.
 */
final class Quantities {
  /** 2^53: every value up to it survives a round trip through a JSON number. */
  static final long MAX_BYTES = 1L << 53;

  private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)([kMGTPE]|[KMGTPE]i)?");
  private static final Pattern MILLI = Pattern.compile("[0-9]+(?:\\.[0-9]+)?m");
  private static final Map<String, BigInteger> SUFFIXES = Map.ofEntries(
      Map.entry("k", BigInteger.TEN.pow(3)),
      Map.entry("M", BigInteger.TEN.pow(6)),
      Map.entry("G", BigInteger.TEN.pow(9)),
      Map.entry("T", BigInteger.TEN.pow(12)),
      Map.entry("P", BigInteger.TEN.pow(15)),
      Map.entry("E", BigInteger.TEN.pow(18)),
      Map.entry("Ki", BigInteger.TWO.pow(10)),
      Map.entry("Mi", BigInteger.TWO.pow(20)),
      Map.entry("Gi", BigInteger.TWO.pow(30)),
      Map.entry("Ti", BigInteger.TWO.pow(40)),
      Map.entry("Pi", BigInteger.TWO.pow(50)),
      Map.entry("Ei", BigInteger.TWO.pow(60)));

  private Quantities() {}

  /** A size in bytes, e.g. {@code 512k}, {@code 10M}, {@code 1Mi} or {@code 1048576}. */
  static Parsed parseBytes(String text) {
    if (text == null || text.isEmpty()) {
      return Parsed.invalid("must not be empty");
    }
    Matcher m = QUANTITY.matcher(text);
    if (!m.matches()) {
      if (MILLI.matcher(text).matches()) {
        // ingress-nginx's proxy-body-size says "8m" for 8 MiB; in a Kubernetes quantity it is 8 thousandths.
        return Parsed.invalid("invalid size \"" + text + "\": \"m\" means milli in a Kubernetes quantity, write \""
            + text.substring(0, text.length() - 1) + "Mi\" for mebibytes");
      }
      return Parsed.invalid("invalid size \"" + text + "\" (want a Kubernetes quantity of bytes, e.g. 512k, 10M, "
          + "1Mi or 1048576)");
    }
    BigDecimal bytes = new BigDecimal(m.group(1));
    if (m.group(2) != null) {
      bytes = bytes.multiply(new BigDecimal(SUFFIXES.get(m.group(2))));
    }
    if (bytes.stripTrailingZeros().scale() > 0) {
      return Parsed.invalid("size \"" + text + "\" is not a whole number of bytes");
    }
    if (bytes.compareTo(BigDecimal.valueOf(MAX_BYTES)) > 0) {
      return Parsed.invalid("size \"" + text + "\" is larger than the maximum of 2^53 bytes");
    }
    return Parsed.ok(bytes.longValueExact());
  }
}
