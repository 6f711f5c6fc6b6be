package dev.weir.controller.push;

import dev.weir.snapshot.Snapshot;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the newest snapshot and assigns versions.
 *
 * <p>Versions are monotonic across controller restarts without any storage of our own: the floor is
 * raised from what outlives the process, namely the versions dataplanes say they applied (hello) and
 * the versions written into ProxyRoute status, so a new controller always continues above them. A
 * snapshot whose content hash equals the current one is not published again.
 */
public final class SnapshotPublisher {
  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

  private final List<Consumer<PublishedSnapshot>> subscribers = new CopyOnWriteArrayList<>();
  private PublishedSnapshot current; // guarded by this
  private long floor; // guarded by this: no version at or below it may be used

  public void subscribe(Consumer<PublishedSnapshot> subscriber) {
    subscribers.add(subscriber);
  }

  /** The next version will be above {@code version}. If the current one is below it, it is re-labelled and re-sent. */
  public void raiseFloor(long version) {
    PublishedSnapshot relabelled = null;
    synchronized (this) {
      if (version <= floor) return;
      floor = version;
      if (current != null && current.version() < version) {
        current = new PublishedSnapshot(current.snapshot().withVersion(++floor));
        relabelled = current;
      }
    }
    if (relabelled != null) {
      log.info("re-labelled snapshot as version {} (a dataplane had seen newer)", relabelled.version());
      notify(relabelled);
    }
  }

  /**
   * Publishes {@code content} (its version is ignored) unless it equals the current content.
   *
   * @return the published snapshot, or empty when nothing changed
   */
  public Optional<PublishedSnapshot> publish(Snapshot content) {
    PublishedSnapshot next;
    synchronized (this) {
      if (current != null && current.snapshot().hash().equals(content.hash())) return Optional.empty();
      long version = Math.max(floor, current == null ? 0 : current.version()) + 1;
      floor = version;
      next = new PublishedSnapshot(content.withVersion(version));
      current = next;
    }
    log.info("published snapshot version {} ({} virtual hosts, {} clusters, hash {})", next.version(),
        content.virtualHosts().size(), content.clusters().size(), content.hash());
    notify(next);
    return Optional.of(next);
  }

  public synchronized Optional<PublishedSnapshot> current() {
    return Optional.ofNullable(current);
  }

  private void notify(PublishedSnapshot snapshot) {
    for (Consumer<PublishedSnapshot> s : subscribers) s.accept(snapshot);
  }
}
