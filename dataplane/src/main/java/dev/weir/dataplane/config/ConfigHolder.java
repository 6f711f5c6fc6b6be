package dev.weir.dataplane.config;

import dev.weir.dataplane.balance.ClusterRegistry;
import dev.weir.dataplane.balance.EndpointListener;
import dev.weir.dataplane.tls.ServerContextCache;
import dev.weir.dataplane.tls.TlsPolicy;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.SnapshotJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration being served, swapped atomically.
 *
 * <p>{@link #apply} validates and compiles a snapshot off to the side, then replaces the served
 * {@link RuntimeConfig} with one reference swap: requests that already hold the old config finish
 * on it, new ones see the new one. A snapshot that cannot be applied is rejected with its reasons
 * and the last good config stays. With a state directory, every applied snapshot is also written
 * (atomically) to {@code <stateDir>/snapshot.json}, so that a restarted replica can serve it again
 * before any controller answers.
 *
 * <p>It owns the {@link ClusterRegistry}: what is known about each endpoint (in flight, ejections,
 * health, slow start) carries over from one applied snapshot to the next, and the active health
 * checks it runs follow the applied config; {@link #close} stops them.
 */
public final class ConfigHolder implements AutoCloseable {

  public static final String SNAPSHOT_FILE = "snapshot.json";

  private static final Logger log = LoggerFactory.getLogger(ConfigHolder.class);

  private final AtomicReference<RuntimeConfig> current = new AtomicReference<>(RuntimeConfig.none());
  private final Path stateDir;
  private final ServerContextCache tls;
  private final List<ConfigListener> listeners = new CopyOnWriteArrayList<>();
  private final ClusterRegistry registry;

  /** @param stateDir where applied snapshots are persisted, or null to keep them in memory only */
  public ConfigHolder(Path stateDir) {
    this(stateDir, TlsPolicy.DEFAULT);
  }

  /** @param tls the versions and cipher suites every certificate of a snapshot is built with */
  public ConfigHolder(Path stateDir, TlsPolicy tls) {
    this(stateDir, tls, new ClusterRegistry());
  }

  /** @param registry where endpoint state is kept across snapshots (closed by {@link #close}) */
  public ConfigHolder(Path stateDir, TlsPolicy tls, ClusterRegistry registry) {
    this.stateDir = stateDir;
    this.tls = new ServerContextCache(tls);
    this.registry = registry;
  }

  public ConfigHolder() {
    this(null);
  }

  /** The config to use for a request that starts now. Never null; before any apply it routes nothing. */
  public RuntimeConfig current() {
    return current.get();
  }

  /** True once a snapshot has been applied. */
  public boolean isReady() {
    return current.get().ready();
  }

  /** Version of the applied snapshot, 0 when none. */
  public long appliedVersion() {
    RuntimeConfig c = current.get();
    return c.ready() ? c.version() : 0;
  }

  /** Content hash of the applied snapshot, "" when none. */
  public String appliedHash() {
    RuntimeConfig c = current.get();
    return c.ready() ? c.hash() : "";
  }

  /** The applied snapshot, if any. */
  public Optional<Snapshot> appliedSnapshot() {
    RuntimeConfig c = current.get();
    return c.ready() ? Optional.of(c.snapshot()) : Optional.empty();
  }

  /** Also told of ejections and health checks when it is an {@link EndpointListener} too (the metrics are). */
  public void addListener(ConfigListener listener) {
    listeners.add(listener);
    if (listener instanceof EndpointListener l) {
      registry.addListener(l);
    }
  }

  /** The endpoint states of every cluster, across snapshots. */
  public ClusterRegistry registry() {
    return registry;
  }

  /** Stops the active health checks. */
  @Override
  public void close() {
    registry.close();
  }

  /**
   * Validates, compiles and swaps in {@code snapshot}; or rejects it and keeps the current config.
   * A snapshot with the content hash of the applied one is only re-labelled with its version. A
   * snapshot without a hash gets one computed from its content. A snapshot older (lower version)
   * than the applied one is rejected; the applied one again (same version and hash) is accepted
   * without any change. Serialised: applies never interleave.
   */
  public synchronized ApplyResult apply(Snapshot snapshot) {
    long start = System.nanoTime();
    try {
      return applyNow(snapshot);
    } finally {
      long took = System.nanoTime() - start;
      for (ConfigListener l : listeners) {
        l.applyTook(took);
      }
    }
  }

  private ApplyResult applyNow(Snapshot snapshot) {
    if (snapshot == null) {
      return reject(new ApplyResult.Rejected(0, "no snapshot"));
    }
    Snapshot s = snapshot.hash().isEmpty() ? snapshot.withComputedHash() : snapshot;
    RuntimeConfig old = current.get();
    if (old.ready() && s.version() < old.version()) {
      // Versions never go backwards (the controller continues above what replicas report): an
      // older snapshot is stale, e.g. a delayed or replayed push, and must not undo a newer one.
      return reject(new ApplyResult.Rejected(s.version(), "version " + s.version() + " is older than applied " + old.version()));
    }
    if (old.ready() && s.version() == old.version() && s.hash().equals(old.hash())) {
      // The very snapshot that is applied (a push repeated after a reconnect): ACK, change nothing.
      return new ApplyResult.Applied(old.version(), old.hash(), true);
    }
    RuntimeConfig next;
    boolean relabelled = old.ready() && old.hash().equals(s.hash());
    if (relabelled) {
      next = old.withVersion(s.version());
    } else {
      try {
        next = RuntimeConfig.compile(s, tls, old, registry);
      } catch (InvalidSnapshotException e) {
        return reject(new ApplyResult.Rejected(s.version(), e.getMessage()));
      } catch (RuntimeException e) {
        // A bug of ours must not take the replica down: keep serving the old config.
        log.error("compiling snapshot version {} failed", s.version(), e);
        return reject(new ApplyResult.Rejected(s.version(), "internal error: " + e));
      }
    }
    current.set(next);
    tls.applied(next.tlsContexts());
    registry.commit(next.endpointStates());
    persist(next.snapshot());
    ApplyResult.Applied result = new ApplyResult.Applied(next.version(), next.hash(), relabelled);
    log.info("{} snapshot version {} (hash {})", relabelled ? "re-labelled" : "applied", next.version(), next.hash());
    for (ConfigListener l : listeners) {
      l.applied(next, result);
    }
    return result;
  }

  /**
   * Applies the snapshot persisted in the state directory, if there is one. A file that cannot be
   * read or applied is logged and ignored: the controller will push a good one.
   */
  public Optional<ApplyResult> applyPersisted() {
    if (stateDir == null) {
      return Optional.empty();
    }
    Path file = stateDir.resolve(SNAPSHOT_FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      ApplyResult result = apply(SnapshotJson.readSnapshot(file));
      if (!result.accepted()) {
        log.warn("persisted snapshot {} not applied: {}", file, ((ApplyResult.Rejected) result).reason());
      }
      return Optional.of(result);
    } catch (IOException | IllegalArgumentException e) {
      log.warn("persisted snapshot {} unreadable, ignored: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  private ApplyResult reject(ApplyResult.Rejected result) {
    log.warn("rejected snapshot version {}: {}", result.version(), result.reason());
    for (ConfigListener l : listeners) {
      l.rejected(result);
    }
    return result;
  }

  private void persist(Snapshot snapshot) {
    if (stateDir == null) {
      return;
    }
    try {
      SnapshotJson.writeSnapshot(snapshot, stateDir.resolve(SNAPSHOT_FILE));
    } catch (IOException | RuntimeException e) {
      // Serving the new config matters more than remembering it across a restart.
      log.warn("could not persist snapshot version {} to {}: {}", snapshot.version(), stateDir, e.toString());
    }
  }
}
