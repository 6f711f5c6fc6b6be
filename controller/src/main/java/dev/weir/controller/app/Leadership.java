package dev.weir.controller.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
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
 */
final class Leadership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final AtomicBoolean leader = new AtomicBoolean();
  private CompletableFuture<?> election;

  static Leadership always() {
    Leadership l = new Leadership();
    l.leader.set(true);
    return l;
  }

  static Leadership elect(KubernetesClient client, ControllerOptions o, Runnable onStart, Runnable onStop) {
    Leadership l = new Leadership();
    var config = new LeaderElectionConfigBuilder()
        .withName(o.leaseName())
        .withLock(new LeaseLock(o.leaseNamespace(), o.leaseName(), o.identity()))
        .withLeaseDuration(Duration.ofSeconds(15))
        .withRenewDeadline(Duration.ofSeconds(10))
        .withRetryPeriod(Duration.ofSeconds(2))
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(new LeaderCallbacks(
            () -> {
              log.info("{} is now the leader", o.identity());
              l.leader.set(true);
              onStart.run();
            },
            () -> {
              log.info("{} lost leadership", o.identity());
              l.leader.set(false);
              onStop.run();
            },
            newLeader -> log.info("leader is {}", newLeader)))
        .build();
    l.election = client.leaderElector().withConfig(config).build().start();
    return l;
  }

  boolean isLeader() {
    return leader.get();
  }

  @Override
  public void close() {
    if (election != null) election.cancel(true);
  }
}
