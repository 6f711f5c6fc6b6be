package dev.weir.dataplane.upstream;

import dev.weir.dataplane.balance.ClusterEndpoints;
import dev.weir.dataplane.balance.EndpointPicker;
import dev.weir.dataplane.balance.EndpointState;
import dev.weir.dataplane.balance.ClusterRegistry;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.UpstreamProtocol;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster's endpoints as socket addresses, what is known about them ({@link #endpointsState()},
 * kept across snapshots by the {@link ClusterRegistry}), its resilience settings, and one
 * {@link EndpointPicker} per load balancer its routes use ({@link #picker}), built with the config.
 */
public final class UpstreamCluster {

  private final String name;
  private final List<InetSocketAddress> endpoints;
  private final UpstreamProtocol protocol;
  private final UpstreamTlsContext tls;
  private final ClusterEndpoints state;
  private final ClusterResilience resilience;
  private final Map<LoadBalancer, EndpointPicker> pickers = new ConcurrentHashMap<>();
  private final EndpointPicker roundRobin;

  /** Endpoints at full weight with default resilience, known to no registry. @param tls null: plain TCP */
  public UpstreamCluster(String name, List<InetSocketAddress> endpoints, UpstreamProtocol protocol, UpstreamTlsContext tls) {
    this(name, endpoints, protocol, tls, new ClusterEndpoints(name, endpoints), List.of());
  }

  /**
   * @param state the endpoints' state (from {@link ClusterRegistry#endpoints})
   * @param balancers the load balancers of the routes to this cluster: their pickers are built now
   */
  public UpstreamCluster(String name, List<InetSocketAddress> endpoints, UpstreamProtocol protocol, UpstreamTlsContext tls,
      ClusterEndpoints state, Collection<LoadBalancer> balancers) {
    this.name = name;
    this.endpoints = List.copyOf(endpoints);
    this.protocol = protocol;
    this.tls = tls;
    this.state = state;
    this.resilience = state.resilience();
    this.roundRobin = picker(LoadBalancer.of(LoadBalancer.Policy.ROUND_ROBIN));
    for (LoadBalancer lb : balancers) {
      picker(lb);
    }
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
    ClusterEndpoints state = new ClusterEndpoints(cluster.name(), addresses, cluster.resilience(), System::nanoTime);
    return new UpstreamCluster(cluster.name(), addresses, cluster.protocol(), tls, state, List.of());
  }

  /**
   * As {@link #of(Cluster, UpstreamTlsContext)}, with the endpoint states of {@code registry} and
   * the pickers for {@code balancers} built now. Its active health checks, if it has any, speak to the
   * endpoints as the proxy does: {@code protocol}, over {@code tls} when not null ({@link HttpHealthProbe}).
   */
  public static UpstreamCluster of(Cluster cluster, UpstreamTlsContext tls, ClusterRegistry registry, Collection<LoadBalancer> balancers) {
    List<InetSocketAddress> addresses = new ArrayList<>(cluster.endpoints().size());
    for (Endpoint e : cluster.endpoints()) {
      addresses.add(new InetSocketAddress(literal(e.address()), e.port()));
    }
    ClusterEndpoints state = registry.endpoints(cluster.name(), addresses, cluster.resilience(), new HttpHealthProbe(cluster.protocol(), tls));
    return new UpstreamCluster(cluster.name(), addresses, cluster.protocol(), tls, state, balancers);
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

  /**
   * The next endpoint in (smooth weighted) round-robin order over the available ones, or null when
   * the cluster has none. Neither counts the request in flight nor feeds ejection: prefer
   * {@link #picker} with {@link ClusterEndpoints#started}/{@link ClusterEndpoints#finished}.
   */
  public InetSocketAddress nextEndpoint() {
    EndpointState e = roundRobin.pick(EndpointPicker.NO_HASH, List.of());
    return e == null ? null : e.address();
  }

  /** What is known about the endpoints: in flight, ejections, health, slow start. */
  public ClusterEndpoints endpointsState() {
    return state;
  }

  public ClusterResilience resilience() {
    return resilience;
  }

  /**
   * The picker of this cluster for a route's load balancer ({@code route.loadBalancer()}). Those of
   * the snapshot's routes are built with the config; another one is built on first use and kept.
   */
  public EndpointPicker picker(LoadBalancer lb) {
    LoadBalancer key = lb == null ? LoadBalancer.DEFAULT : lb;
    EndpointPicker p = pickers.get(key);
    return p != null ? p : pickers.computeIfAbsent(key, k -> EndpointPicker.of(k, state));
  }
}
