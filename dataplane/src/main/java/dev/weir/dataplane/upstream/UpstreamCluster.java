package dev.weir.dataplane.upstream;

import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.UpstreamProtocol;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster's endpoints as socket addresses, with a round-robin cursor. The cursor is shared by
 * all event loops (one atomic increment per request); it starts over with each snapshot.
 */
public final class UpstreamCluster {

  private final String name;
  private final List<InetSocketAddress> endpoints;
  private final UpstreamProtocol protocol;
  private final UpstreamTlsContext tls;
  private final AtomicInteger cursor = new AtomicInteger();

  /** @param tls null: plain TCP */
  public UpstreamCluster(String name, List<InetSocketAddress> endpoints, UpstreamProtocol protocol, UpstreamTlsContext tls) {
    this.name = name;
    this.endpoints = List.copyOf(endpoints);
    this.protocol = protocol;
    this.tls = tls;
  }

  public UpstreamCluster(String name, List<InetSocketAddress> endpoints, UpstreamProtocol protocol) {
    this(name, endpoints, protocol, null);
  }

  public UpstreamCluster(String name, List<InetSocketAddress> endpoints) {
    this(name, endpoints, UpstreamProtocol.HTTP1);
  }

  /** A plain-TCP cluster; see {@link #of(Cluster, UpstreamTlsContext)}. */
  public static UpstreamCluster of(Cluster cluster) {
    return of(cluster, null);
  }

  /**
   * Expects endpoint addresses that are IP literals (the validator checks); never resolves names.
   *
   * @param tls the context built for {@code cluster.tls()}, null when it has none
   */
  public static UpstreamCluster of(Cluster cluster, UpstreamTlsContext tls) {
    List<InetSocketAddress> addresses = new ArrayList<>(cluster.endpoints().size());
    for (Endpoint e : cluster.endpoints()) {
      addresses.add(new InetSocketAddress(literal(e.address()), e.port()));
    }
    return new UpstreamCluster(cluster.name(), addresses, cluster.protocol(), tls);
  }

  /** The address of an IP literal, or null when {@code address} is not one. IPv6 may be bracketed. */
  public static InetAddress literal(String address) {
    if (address == null) {
      return null;
    }
    String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    if (!NetUtil.isValidIpV4Address(a) && !NetUtil.isValidIpV6Address(a)) {
      return null;
    }
    return NetUtil.createInetAddressFromIpAddressString(a);
  }

  public String name() {
    return name;
  }

  public UpstreamProtocol protocol() {
    return protocol;
  }

  /** Null for plain TCP. */
  public UpstreamTlsContext tls() {
    return tls;
  }

  public List<InetSocketAddress> endpoints() {
    return endpoints;
  }

  /** The next endpoint in round-robin order, or null when the cluster has none. */
  public InetSocketAddress nextEndpoint() {
    int n = endpoints.size();
    if (n == 0) {
      return null;
    }
    return n == 1 ? endpoints.get(0) : endpoints.get(Math.floorMod(cursor.getAndIncrement(), n));
  }
}
