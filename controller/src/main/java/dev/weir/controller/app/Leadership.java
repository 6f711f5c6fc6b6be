package dev.weir.controller.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this controller replica leads. Only the leader writes status and serves dataplanes (so that
 * it sees every replica's reports); followers keep warm caches and take over when the Lease expires.
 *
 * <p>fabric8's elector runs one acquire, renew, lose cycle and then ends; a replica that lost the Lease
 * (a missed renewal during an API hiccup, say) campaigns again, otherwise a single-replica install would
 * stay leaderless for good.
 */
final class Leadership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final AtomicBoolean leader = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private KubernetesClient client;
  private LeaderElectionConfig config;
  private String identity;
  private volatile CompletableFuture<?> election;

  static Leadership always() {
    Leadership l = new Leadership();
    l.leader.set(true);
    return l;
  }

  static Leadership elect(KubernetesClient client, ControllerOptions o, Runnable onStart, Runnable onStop) {
    Leadership l = new Leadership();
    l.client = client;
    l.identity = o.identity();
    l.config = new LeaderElectionConfigBuilder()
        .withName(o.leaseName())
        .withLock(new LeaseLock(o.leaseNamespace(), o.leaseName(), o.identity()))
        .withLeaseDuration(o.leaseDuration())
        .withRenewDeadline(renewDeadline(o.leaseDuration()))
        .withRetryPeriod(retryPeriod(o.leaseDuration()))
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(new LeaderCallbacks(
            () -> {
              log.atInfo().addKeyValue("identity", o.identity()).addKeyValue("lease", lease(o)).log("became the leader");
              l.leader.set(true);
              onStart.run();
            },
            () -> {
              log.atInfo().addKeyValue("identity", o.identity()).addKeyValue("lease", lease(o)).log("lost leadership");
              l.leader.set(false);
              onStop.run();
            },
            newLeader -> log.atInfo().addKeyValue("leader", newLeader).addKeyValue("lease", lease(o)).log("new leader")))
        .build();
    l.campaign();
    return l;
  }

  private void campaign() {
    if (closed.get()) return;
    CompletableFuture<?> f = client.leaderElector().withConfig(config).build().start();
    election = f;
    f.whenComplete((ok, error) -> {
      leader.set(false);
      if (closed.get()) return;
      log.atInfo().addKeyValue("identity", identity)
          .log("leader election cycle ended ({}); campaigning again", error == null ? "lease lost" : error.toString());
      campaign();
    });
  }

  /**
   * The leader gives up if it has not renewed within 2/3 of the lease (15s: 10s), leaving a third of it
   * before another replica may take over; fabric8 wants it above 1.2 retry periods.
   */
  static Duration renewDeadline(Duration lease) {
    return lease.multipliedBy(2).dividedBy(3);
  }

  /** How often candidates try and the leader renews: 2/15 of the lease (15s: 2s, the values before the flag). */
  static Duration retryPeriod(Duration lease) {
    return lease.multipliedBy(2).dividedBy(15);
  }

  private static String lease(ControllerOptions o) {
    return o.leaseNamespace() + "/" + o.leaseName();
  }

  boolean isLeader() {
    return leader.get();
  }

  @Override
  public void close() {
    closed.set(true);
    CompletableFuture<?> e = election;
    if (e != null) e.cancel(true);
  }
}
