package dev.weir.dataplane.routing;

import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;

/** Reading one cookie out of a request's Cookie headers, for route matching and cookie affinity. */
public final class Cookies {
  private Cookies() {}

  /** The value of the first cookie called {@code name} in these Cookie header values, or null. */
  public static String value(List<String> cookieHeaders, String name) {
    for (int i = 0; i < cookieHeaders.size(); i++) {
      String header = cookieHeaders.get(i);
      if (header.indexOf(name) < 0) {
        continue; // cheap pre-check: most Cookie headers of most requests do not hold it
      }
      // LAX: browsers send what they were given, and a strict decoder drops whole headers over one odd cookie
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
        if (c.name().equals(name)) {
          return c.value();
        }
      }
    }
    return null;
  }
}
