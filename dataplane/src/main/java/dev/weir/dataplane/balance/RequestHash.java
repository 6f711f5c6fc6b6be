package dev.weir.dataplane.balance;

import dev.weir.dataplane.routing.Cookies;
import dev.weir.snapshot.LoadBalancer;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The hash key of a request for a hashing {@link LoadBalancer}: a header, a cookie, or the client address.
 *
 * <p>Cookie affinity, as the proxy does it: {@code long h = RequestHash.of(lb, headers, client)}; when
 * {@code h == NO_HASH} and {@code lb.hashOn() == COOKIE}, take {@code v = newCookieValue()}, pick
 * with {@code hash(v)} and add {@code Set-Cookie: setCookieHeader(lb, v)} to the response, so the
 * client's next requests carry the key and land on the same endpoint.
 */
public final class RequestHash {
  private RequestHash() {}

  /**
   * The request's key, hashed (a 64-bit hash that spreads well), or {@link EndpointPicker#NO_HASH}
   * when the policy does not hash or the request has no key (no such header, no such cookie).
   *
   * @param client the client's address; may be null (no key for {@code CLIENT_ADDRESS})
   */
  public static long of(LoadBalancer lb, HttpHeaders headers, InetAddress client) {
    if (lb == null || !lb.hashing()) {
      return EndpointPicker.NO_HASH;
    }
    switch (lb.hashOn()) {
      case HEADER -> {
        String v = headers == null ? null : headers.get(lb.hashKey());
        return v == null ? EndpointPicker.NO_HASH : Hashing.hash(v);
      }
      case COOKIE -> {
        String v = headers == null ? null : cookie(headers, lb.hashKey());
        return v == null ? EndpointPicker.NO_HASH : Hashing.hash(v);
      }
      case CLIENT_ADDRESS -> {
        return client == null ? EndpointPicker.NO_HASH : Hashing.hash(client.getAddress());
      }
      default -> {
        return EndpointPicker.NO_HASH;
      }
    }
  }

  /** The value of the first cookie called {@code name} in the request's Cookie headers, or null. */
  static String cookie(HttpHeaders headers, String name) {
    return Cookies.value(headers.getAll(HttpHeaderNames.COOKIE), name);
  }

  /** The hash {@link #of} gives a request whose key is {@code value}. */
  public static long hash(String value) {
    return Hashing.hash(value);
  }

  /** A fresh affinity cookie value: 128 random bits as 32 lower-case hex digits. */
  public static String newCookieValue() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return hex16(r.nextLong()) + hex16(r.nextLong());
  }

  private static String hex16(long v) {
    String s = Long.toHexString(v);
    return "0".repeat(16 - s.length()) + s;
  }

  /**
   * The Set-Cookie header value that gives the client {@code value} as the affinity cookie of
   * {@code lb}: {@code name=value; Path=/; HttpOnly}, with {@code ; Max-Age=n} when
   * {@code cookieTtlSeconds > 0} (else a session cookie).
   */
  public static String setCookieHeader(LoadBalancer lb, String value) {
    StringBuilder b = new StringBuilder(lb.hashKey().length() + value.length() + 40);
    b.append(lb.hashKey()).append('=').append(value).append("; Path=/");
    if (lb.cookieTtlSeconds() > 0) {
      b.append("; Max-Age=").append(lb.cookieTtlSeconds());
    }
    return b.append("; HttpOnly").toString();
  }
}
