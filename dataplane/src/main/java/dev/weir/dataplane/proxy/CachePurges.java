package dev.weir.dataplane.proxy;

import dev.weir.dataplane.cache.ResponseCache;
import dev.weir.dataplane.config.ApplyResult;
import dev.weir.dataplane.config.ConfigListener;
import dev.weir.dataplane.config.RuntimeConfig;
import dev.weir.snapshot.CachePolicy;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.VirtualHost;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the purges that snapshots push ({@link CachePolicy.Purge}): on every apply, a route whose
 * purge generation differs from the last one this replica applied for it has its stored responses
 * dropped, all of them or the listed paths, once. A replica that starts (or restarts) has an empty
 * cache, so the first generation it sees purges nothing that matters; a snapshot sent again after a
 * reconnect purges nothing more. Called on the applying thread; purging scans the cache's keys.
 */
public final class CachePurges implements ConfigListener {
  private static final Logger log = LoggerFactory.getLogger(CachePurges.class);

  private final ResponseCache storage;
  private Map<String, Long> applied = new HashMap<>(); // route name -> purge generation; the applying thread only

  public CachePurges(ResponseCache storage) {
    this.storage = storage;
  }

  @Override
  public void applied(RuntimeConfig config, ApplyResult.Applied result) {
    Map<String, Long> now = new HashMap<>();
    for (VirtualHost vh : config.snapshot().virtualHosts()) {
      for (Route r : vh.routes()) {
        CachePolicy.Purge p = r.cache() == null ? null : r.cache().purge();
        if (p == null || now.containsKey(r.name())) {
          continue;
        }
        now.put(r.name(), p.generation());
        Long before = applied.get(r.name());
        if (before == null || before != p.generation()) {
          int removed = 0;
          if (p.paths().isEmpty()) {
            removed = storage.purgeRoute(r.name());
          } else {
            for (String path : p.paths()) {
              removed += storage.purgeRoute(r.name(), path);
            }
          }
          log.info("cache purge generation {} of route {}: {} responses removed", p.generation(), r.name(), removed);
        }
      }
    }
    applied = now;
  }
}
