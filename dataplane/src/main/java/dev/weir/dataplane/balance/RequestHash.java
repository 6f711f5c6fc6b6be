package dev.weir.dataplane.balance;

import dev.weir.snapshot.LoadBalancer;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;

/** The hash key of a request for a hashing {@link LoadBalancer}: a header, a cookie, or the client address. */
public final class RequestHash {
  private RequestHash() {}

  /**
   * The request's key, hashed (a 64-bit hash that spreads well), or {@link EndpointPicker#NO_HASH}
   * when the policy does not hash or the request has no key (no such header, no such cookie).
   */
  public static long of(LoadBalancer lb, HttpHeaders headers, InetAddress client) {
    return EndpointPicker.NO_HASH;
  }
}
