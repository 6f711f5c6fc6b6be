package dev.weir.dataplane.compress;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A request's {@code Accept-Encoding} (RFC 9110 12.5.3), parsed into a weight per coding, and the
 * choice among the codings a server offers.
 *
 * <p>Weights are kept in thousandths (a qvalue has at most three decimals), so comparisons are
 * exact. Every header line counts, as one comma-separated list. An element that does not parse (a
 * token with characters a token may not have, a {@code q} that is not a qvalue) is ignored on its
 * own; the rest of the header still counts. Parameters other than {@code q} are ignored. A coding
 * named twice gets the lower of its weights: a client that once says {@code q=0} has refused it,
 * and picking the more cautious reading never sends something it cannot decode.
 *
 * <p>Identity is acceptable unless excluded ({@code identity;q=0}, or {@code *;q=0} with no entry
 * of its own), and it is only preferred over a coding when the client lists it explicitly with a
 * higher weight than that coding (for example {@code gzip;q=0.5, identity}).
 */
public final class AcceptEncoding {

  /** No header at all: only identity, as most servers do (RFC 9110 allows any coding, but old clients that omit it often cannot decode one). */
  public static final AcceptEncoding ABSENT = new AcceptEncoding(false, new EnumMap<>(ContentCoding.class), -1);

  private static final int NOT_LISTED = -1;

  private final boolean present;
  /** Explicit weights in thousandths, for the codings we know. */
  private final Map<ContentCoding, Integer> weights;
  /** The weight of {@code *}, or NOT_LISTED. */
  private final int wildcard;

  private AcceptEncoding(boolean present, Map<ContentCoding, Integer> weights, int wildcard) {
    this.present = present;
    this.weights = weights;
    this.wildcard = wildcard;
  }

  /** Parses every {@code Accept-Encoding} line of the request's headers. */
  public static AcceptEncoding of(HttpHeaders headers) {
    List<String> values = headers.getAll(HttpHeaderNames.ACCEPT_ENCODING);
    return values.isEmpty() ? ABSENT : parse(values);
  }

  /**
   * Parses header values (one per line of the header). An empty list means the header was absent;
   * a list with one empty value means it was present and empty (only identity is acceptable).
   */
  public static AcceptEncoding parse(List<String> values) {
    if (values.isEmpty()) {
      return ABSENT;
    }
    Map<ContentCoding, Integer> weights = new EnumMap<>(ContentCoding.class);
    int wildcard = NOT_LISTED;
    for (String value : values) {
      int start = 0;
      int len = value.length();
      while (start <= len) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? len : comma;
        int[] parsed = new int[1];
        String token = element(value, start, end, parsed);
        if (token != null) {
          if (token.equals("*")) {
            wildcard = wildcard == NOT_LISTED ? parsed[0] : Math.min(wildcard, parsed[0]);
          } else {
            ContentCoding coding = ContentCoding.fromToken(token);
            if (coding != null) {
              weights.merge(coding, parsed[0], Math::min);
            }
          }
        }
        start = end + 1;
      }
    }
    return new AcceptEncoding(true, weights, wildcard);
  }

  /**
   * One list element {@code token *( OWS ";" OWS param )}: its token, with its weight stored in
   * {@code weight[0]}; null when the element is empty or malformed.
   */
  private static String element(String s, int from, int to, int[] weight) {
    int semi = s.indexOf(';', from);
    int tokenEnd = semi < 0 || semi > to ? to : semi;
    String token = s.substring(from, tokenEnd).trim();
    if (token.isEmpty() || !(token.equals("*") || isToken(token))) {
      return null;
    }
    weight[0] = 1000;
    int p = tokenEnd;
    while (p < to) {
      // p is at a ';'
      int next = s.indexOf(';', p + 1);
      int paramEnd = next < 0 || next > to ? to : next;
      String param = s.substring(p + 1, paramEnd).trim();
      int eq = param.indexOf('=');
      if (eq > 0) {
        String name = param.substring(0, eq).trim();
        if (name.equalsIgnoreCase("q")) {
          int q = qvalue(param.substring(eq + 1).trim());
          if (q < 0) {
            return null;
          }
          weight[0] = q;
        }
      } else if (!param.isEmpty()) {
        return null; // "gzip;garbage"
      }
      p = paramEnd;
    }
    return token;
  }

  /** {@code qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )} in thousandths, or -1. */
  static int qvalue(String s) {
    int n = s.length();
    if (n == 0 || n > 5 || (s.charAt(0) != '0' && s.charAt(0) != '1')) {
      return -1;
    }
    int whole = s.charAt(0) - '0';
    if (n == 1) {
      return whole * 1000;
    }
    if (s.charAt(1) != '.') {
      return -1;
    }
    int frac = 0;
    int scale = 100;
    for (int i = 2; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      frac += (c - '0') * scale;
      scale /= 10;
    }
    if (whole == 1 && frac != 0) {
      return -1;
    }
    return whole * 1000 + frac;
  }

  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean tchar =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return true;
  }

  /** Whether the request had the header at all. */
  public boolean present() {
    return present;
  }

  /**
   * The client's weight for a coding in thousandths (0: not acceptable): its own entry, else that of
   * {@code *}, else 0 (identity: 1000, unless excluded).
   */
  public int weight(ContentCoding coding) {
    Integer own = weights.get(coding);
    if (own != null) {
      return own;
    }
    if (coding == ContentCoding.IDENTITY) {
      return wildcard == 0 ? 0 : 1000;
    }
    if (!present) {
      return 0;
    }
    return wildcard == NOT_LISTED ? 0 : wildcard;
  }

  /**
   * The coding to send: the offered coding with the highest weight above 0, ties going to the
   * earlier in {@code offered} (the server's preference); identity when none is acceptable, or when
   * the client lists identity itself with a higher weight than the best of them.
   *
   * <p>When identity is excluded too, nothing is acceptable; identity is still returned, as RFC 9110
   * 12.5.3 allows ("the origin server SHOULD send a response without any content coding" rather than
   * an error is the common practice), and the caller forwards the response unchanged.
   */
  public ContentCoding select(List<ContentCoding> offered) {
    ContentCoding best = ContentCoding.IDENTITY;
    int bestWeight = 0;
    for (ContentCoding coding : offered) {
      if (coding == ContentCoding.IDENTITY) {
        continue;
      }
      int w = weight(coding);
      if (w > bestWeight) {
        best = coding;
        bestWeight = w;
      }
    }
    if (best != ContentCoding.IDENTITY) {
      Integer identity = weights.get(ContentCoding.IDENTITY);
      if (identity != null && identity > bestWeight) {
        return ContentCoding.IDENTITY;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return present ? "AcceptEncoding" + weights + (wildcard == NOT_LISTED ? "" : " *=" + wildcard) : "AcceptEncoding(absent)";
  }
}
