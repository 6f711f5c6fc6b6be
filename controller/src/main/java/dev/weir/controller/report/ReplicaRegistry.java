package dev.weir.controller.report;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.weir.controller.logs.ObjectLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connected dataplane replicas and what each has applied or rejected: the only source of Programmed.
 * Listeners are told after every change (they debounce on their side).
 */
public final class ReplicaRegistry {
  private static final Logger log = LoggerFactory.getLogger(ReplicaRegistry.class);

  private final Map<String, ReplicaState> replicas = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** A replica said hello. Nothing it applied counts until it ACKs a push of this controller's. */
  public void connected(String replicaId) {
    replicas.put(replicaId, new ReplicaState(replicaId, false, 0, 0, null, 0));
    ObjectLog.replica(log.atInfo(), replicaId).log("dataplane connected");
    changed();
  }

  public void disconnected(String replicaId) {
    if (replicas.remove(replicaId) != null) {
      ObjectLog.replica(log.atInfo(), replicaId).log("dataplane disconnected");
      changed();
    }
  }

  public void acked(String replicaId, long version) {
    update(replicaId, s -> s.applied(version));
  }

  public void nacked(String replicaId, long version, String reason) {
    ObjectLog.replica(log.atWarn(), replicaId).addKeyValue("version", version).addKeyValue("reason", reason)
        .log("dataplane rejected snapshot");
    update(replicaId, s -> s.rejected(version, reason));
  }

  /** Reports carry readiness and counters; the applied version is taken from ACKs only (see {@link #connected}). */
  public void reported(String replicaId, boolean ready, long requestsTotal) {
    update(replicaId, s -> new ReplicaState(replicaId, ready, s.appliedVersion(), s.rejectedVersion(), s.rejectReason(),
        requestsTotal));
  }

  /** The state of one connected replica, empty once it disconnected. */
  public java.util.Optional<ReplicaState> replica(String replicaId) {
    return java.util.Optional.ofNullable(replicas.get(replicaId));
  }

  public List<ReplicaState> replicas() {
    return replicas.values().stream().sorted((a, b) -> a.replicaId().compareTo(b.replicaId())).toList();
  }

  private void update(String replicaId, java.util.function.UnaryOperator<ReplicaState> change) {
    ReplicaState before = replicas.get(replicaId);
    if (before == null) return;
    ReplicaState after = change.apply(before);
    if (after.equals(before)) return;
    replicas.put(replicaId, after);
    changed();
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }

}
