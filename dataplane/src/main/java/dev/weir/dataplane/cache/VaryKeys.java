package dev.weir.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Secondary cache keys from Vary (RFC 9111 §4.1): a stored response matches a request only if
 * every header its Vary names has the same normalised value in the request as in the request
 * that produced it. Names are case-insensitive; by default a header's value is all its field
 * lines joined with commas and the whitespace around each comma removed (RFC 9110 §5.3 makes
 * those forms equivalent), and a header absent from the request matches only absence.
 *
 * <p>One header's normalisation can be replaced ({@link #withNormaliser}); instances are
 * immutable and thread-safe.
 */
public final class VaryKeys {

  private final Map<String, HeaderNormaliser> normalisers;

  private VaryKeys(Map<String, HeaderNormaliser> normalisers) {
    this.normalisers = Map.copyOf(normalisers);
  }

  /** The default normalisation for every header. */
  public static VaryKeys standard() {
    return new VaryKeys(Map.of());
  }

  /** A copy that uses {@code normaliser} for header {@code name} (any case). */
  public VaryKeys withNormaliser(CharSequence name, HeaderNormaliser normaliser) {
    Map<String, HeaderNormaliser> m = new HashMap<>(normalisers);
    m.put(name.toString().toLowerCase(Locale.ROOT), normaliser);
    return new VaryKeys(m);
  }

  /** True when any Vary member is {@code *}: such a response never matches (§4.1). */
  public static boolean isVaryAny(HttpHeaders response) {
    for (String line : response.getAll(HttpHeaderNames.VARY)) {
      for (String member : line.split(",")) {
        if (member.trim().equals("*")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The field names a response's Vary lists: lower-cased, sorted, without duplicates. */
  public static List<String> varyNames(HttpHeaders response) {
    List<String> lines = response.getAll(HttpHeaderNames.VARY);
    if (lines.isEmpty()) {
      return List.of();
    }
    TreeSet<String> names = new TreeSet<>();
    for (String line : lines) {
      for (String member : line.split(",")) {
        String m = member.trim();
        if (!m.isEmpty()) {
          names.add(m.toLowerCase(Locale.ROOT));
        }
      }
    }
    return List.copyOf(names);
  }

  /**
   * The secondary key of {@code request} for a stored response whose Vary named {@code varyNames}
   * (as {@link #varyNames} returns them). Empty when there is no Vary. Each value is length-prefixed
   * so that no value can imitate another header's.
   */
  public String secondaryKey(List<String> varyNames, HttpHeaders request) {
    if (varyNames.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (String name : varyNames) {
      HeaderNormaliser custom = normalisers.get(name);
      String value = custom != null ? custom.normalise(request) : standardValue(name, request);
      b.append(name);
      if (value == null) {
        b.append('!'); // absent
      } else {
        b.append('=').append(value.length()).append(':').append(value);
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** All field lines joined by commas, whitespace around each comma and at the ends removed; null if absent. */
  static String standardValue(String name, HttpHeaders request) {
    List<String> lines = request.getAll(name);
    if (lines.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    boolean first = true;
    for (String line : lines) {
      for (String member : line.split(",", -1)) {
        if (!first) {
          b.append(',');
        }
        first = false;
        b.append(member.trim());
      }
    }
    return b.toString();
  }
}
