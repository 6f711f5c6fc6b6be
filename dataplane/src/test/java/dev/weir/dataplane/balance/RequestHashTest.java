package dev.weir.dataplane.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.LoadBalancer.HashOn;
import dev.weir.snapshot.LoadBalancer.Policy;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class RequestHashTest {

  private static final LoadBalancer HEADER = new LoadBalancer(Policy.RING_HASH, HashOn.HEADER, "x-user", 0);
  private static final LoadBalancer COOKIE = new LoadBalancer(Policy.MAGLEV, HashOn.COOKIE, "weir-affinity", 3600);
  private static final LoadBalancer CLIENT = new LoadBalancer(Policy.MAGLEV, HashOn.CLIENT_ADDRESS, null, 0);

  @Test
  void headerHashesTheFirstValue() {
    HttpHeaders h = new DefaultHttpHeaders().add("X-User", "alice").add("x-user", "bob");
    assertEquals(RequestHash.hash("alice"), RequestHash.of(HEADER, h, null));
    assertEquals(EndpointPicker.NO_HASH, RequestHash.of(HEADER, new DefaultHttpHeaders(), null));
  }

  @Test
  void cookieIsParsedFromEveryCookieHeader() throws Exception {
    HttpHeaders h = new DefaultHttpHeaders()
        .add("cookie", "a=1; xweir-affinity=no")
        .add("cookie", "b=2; weir-affinity=\"abc\"; c=3");
    assertEquals(RequestHash.hash("abc"), RequestHash.of(COOKIE, h, InetAddress.getLoopbackAddress()));
    HttpHeaders none = new DefaultHttpHeaders().add("cookie", "weir-affinityx=1");
    assertEquals(EndpointPicker.NO_HASH, RequestHash.of(COOKIE, none, InetAddress.getLoopbackAddress()));
  }

  @Test
  void clientAddressHashesItsBytes() throws Exception {
    long a = RequestHash.of(CLIENT, new DefaultHttpHeaders(), InetAddress.getByName("10.0.0.1"));
    long b = RequestHash.of(CLIENT, new DefaultHttpHeaders(), InetAddress.getByName("10.0.0.2"));
    assertNotEquals(a, b);
    assertNotEquals(EndpointPicker.NO_HASH, a);
    assertEquals(EndpointPicker.NO_HASH, RequestHash.of(CLIENT, new DefaultHttpHeaders(), null));
  }

  @Test
  void nonHashingPoliciesHaveNoHash() {
    HttpHeaders h = new DefaultHttpHeaders().add("x-user", "alice");
    assertEquals(EndpointPicker.NO_HASH, RequestHash.of(LoadBalancer.DEFAULT, h, InetAddress.getLoopbackAddress()));
    assertEquals(EndpointPicker.NO_HASH, RequestHash.of(LoadBalancer.of(Policy.ROUND_ROBIN), h, null));
  }

  @Test
  void freshCookieValuesAndTheirHeader() {
    String v = RequestHash.newCookieValue();
    assertTrue(v.matches("[0-9a-f]{32}"), v);
    assertNotEquals(v, RequestHash.newCookieValue());
    assertEquals("weir-affinity=" + v + "; Path=/; Max-Age=3600; HttpOnly", RequestHash.setCookieHeader(COOKIE, v));
    LoadBalancer session = new LoadBalancer(Policy.RING_HASH, HashOn.COOKIE, "s", 0);
    assertEquals("s=x; Path=/; HttpOnly", RequestHash.setCookieHeader(session, "x"));
  }
}
