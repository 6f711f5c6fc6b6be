package dev.weir.controller.metrics;

import dev.weir.controller.push.SnapshotPublisher;
import dev.weir.controller.report.ReplicaRegistry;
import dev.weir.controller.report.ReplicaState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The controller's own meters, by their Prometheus names (a dashboard is written against them; keep
 * {@code docs/ops-controller-notes.md} in step). Tags are bounded: {@code kind} and {@code result} have a
 * few fixed values, and {@code replica} names only connected replicas (a replica's series goes when it
 * disconnects). No namespace or name tags: those would grow with the cluster.
 */
public final class ControllerMetrics {
  public static final String PROXY_ROUTE = "ProxyRoute";
  public static final String INGRESS = "Ingress";

  /** What became of a status write. */
  public enum WriteResult {
    SUCCESS, CONFLICT, ERROR;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  // Reconciles only request a rebuild (sub-millisecond); status writes and rebuilds are API round trips
  // and translations of up to thousands of routes. A handful of fixed buckets keeps the series count small.
  private static final Duration[] RECONCILE_BUCKETS = {
      Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1)};
  private static final Duration[] BUILD_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofMillis(500),
      Duration.ofSeconds(2), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final Map<String, Counter> reconcileSuccess = new HashMap<>();
  private final Map<String, Counter> reconcileError = new HashMap<>();
  private final Map<String, Timer> reconcileDuration = new HashMap<>();
  private final Map<String, Counter> statusWrites = new HashMap<>();
  private final Timer snapshotBuild;
  private final Map<String, Gauge> replicaVersions = new HashMap<>(); // guarded by itself

  public ControllerMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String kind : new String[] {PROXY_ROUTE, INGRESS}) {
      reconcileSuccess.put(kind, reconciles(kind, "success"));
      reconcileError.put(kind, reconciles(kind, "error"));
      reconcileDuration.put(kind, Timer.builder("weir_controller_reconcile_duration")
          .description("time spent in one reconcile call")
          .tag("kind", kind).serviceLevelObjectives(RECONCILE_BUCKETS).register(registry));
      for (WriteResult r : WriteResult.values()) {
        statusWrites.put(kind + "/" + r.tag(), Counter.builder("weir_controller_status_writes")
            .description("status subresource writes; conflict: the cached object was stale (409, or 404 deleted)")
            .tag("kind", kind).tag("result", r.tag()).register(registry));
      }
    }
    snapshotBuild = Timer.builder("weir_controller_snapshot_build_duration")
        .description("time to translate the cluster's objects into a snapshot")
        .serviceLevelObjectives(BUILD_BUCKETS).register(registry);
  }

  /** Meters that go nowhere, for components built without a controller around them (tests). */
  public static ControllerMetrics discarding() {
    return new ControllerMetrics(new SimpleMeterRegistry());
  }

  private Counter reconciles(String kind, String result) {
    return Counter.builder("weir_controller_reconciles").description("reconcile calls by outcome")
        .tag("kind", kind).tag("result", result).register(registry);
  }

  /** @param kind {@link #PROXY_ROUTE} or {@link #INGRESS} */
  public void reconciled(String kind, long startNanos, boolean ok) {
    reconcileDuration.get(kind).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    (ok ? reconcileSuccess : reconcileError).get(kind).increment();
  }

  public void snapshotBuilt(long nanos) {
    snapshotBuild.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** @param kind {@link #PROXY_ROUTE} or {@link #INGRESS} */
  public void statusWritten(String kind, WriteResult result) {
    statusWrites.get(kind + "/" + result.tag()).increment();
  }

  /**
   * Gauges read from the publisher and the replica registry. The per-replica gauges follow the set of
   * connected replicas: registered on connect, removed on disconnect.
   */
  public void watch(SnapshotPublisher publisher, ReplicaRegistry replicas) {
    Gauge.builder("weir_controller_snapshot_version", publisher, p -> p.current().map(s -> s.version()).orElse(0L))
        .description("version of the latest published snapshot").register(registry);
    Gauge.builder("weir_controller_snapshot_bytes", publisher,
            p -> p.current().map(s -> s.serializedBytes()).orElse(0))
        .description("size of the latest snapshot's push frame (JSON)").register(registry);
    Gauge.builder("weir_controller_connected_replicas", replicas, r -> r.replicas().size())
        .description("dataplane replicas connected to this controller").register(registry);
    Gauge.builder("weir_controller_replicas_current", replicas, r -> current(r, publisher))
        .description("connected replicas that ACKed the latest published snapshot").register(registry);
    replicas.onChange(() -> followReplicas(replicas));
    followReplicas(replicas);
  }

  private static long current(ReplicaRegistry replicas, SnapshotPublisher publisher) {
    long latest = publisher.current().map(s -> s.version()).orElse(-1L);
    return replicas.replicas().stream().filter(s -> s.appliedVersion() == latest).count();
  }

  private void followReplicas(ReplicaRegistry replicas) {
    synchronized (replicaVersions) {
      Set<String> connected = new HashSet<>();
      for (ReplicaState s : replicas.replicas()) connected.add(s.replicaId());
      replicaVersions.entrySet().removeIf(e -> {
        if (connected.contains(e.getKey())) return false;
        registry.remove(e.getValue());
        return true;
      });
      for (String id : connected) {
        replicaVersions.computeIfAbsent(id, r -> Gauge.builder("weir_controller_replica_snapshot_version", replicas,
                reg -> reg.replica(r).map(ReplicaState::appliedVersion).orElse(0L))
            .description("the snapshot version a connected replica last ACKed (0: none yet)")
            .tag("replica", r).register(registry));
      }
    }
  }
}
