package dev.weir.dataplane.balance;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The endpoints of one cluster and what is known about them, shared by every route to the cluster.
 * {@link #started} and {@link #finished} are called for every attempt (retries included) on any
 * event loop; they keep the in-flight counts that least-request reads and feed outlier ejection.
 */
public final class ClusterEndpoints {
  private final String cluster;
  private final List<EndpointState> endpoints;

  public ClusterEndpoints(String cluster, List<InetSocketAddress> addresses) {
    this.cluster = cluster;
    List<EndpointState> list = new ArrayList<>(addresses.size());
    for (InetSocketAddress a : addresses) {
      list.add(new EndpointState(a));
    }
    this.endpoints = List.copyOf(list);
  }

  public String cluster() {
    return cluster;
  }

  /** Every endpoint, available or not, in snapshot order. */
  public List<EndpointState> endpoints() {
    return endpoints;
  }

  /** An attempt to {@code e} begins. */
  public void started(EndpointState e) {
    e.started();
  }

  /** The attempt begun with {@link #started} ended so; call exactly once per start. */
  public void finished(EndpointState e, Outcome outcome) {
    e.finished();
  }
}
