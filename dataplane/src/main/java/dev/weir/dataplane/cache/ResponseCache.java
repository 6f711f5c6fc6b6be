package dev.weir.dataplane.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Stored responses in memory, bounded in bytes (RFC 9111 §3 storage; §4.1 variants). Backed by
 * Caffeine, whose W-TinyLFU admission keeps a scan of one-off URLs from flushing the popular
 * entries, with {@code maximumWeight} over {@link StoredResponse#weight()}.
 *
 * <p>One Caffeine entry per primary {@link CacheKey} holds that key's variants (most recent first,
 * at most {@code maxVariantsPerKey}, so a Vary on a high-cardinality header cannot grow one entry
 * without bound); a variant is replaced by a newer response with the same secondary key. Objects
 * above {@code maxObjectBytes} are never stored.
 *
 * <p>Thread-safe: every change to a key's variants is one atomic {@code compute}. Caffeine's
 * maintenance (eviction) runs on the calling thread, so the bound holds as soon as a write returns
 * and no pool thread is needed; it is amortised O(1) per write.
 */
public final class ResponseCache {

  /** A key's variants, newest first; immutable, weighed once. */
  private record Variants(List<StoredResponse> list, int weight) {
    static Variants of(List<StoredResponse> list) {
      long w = 0;
      for (StoredResponse r : list) {
        w += r.weight();
      }
      return new Variants(List.copyOf(list), (int) Math.min(Integer.MAX_VALUE, w));
    }
  }

  private final Cache<CacheKey, Variants> cache;
  private final VaryKeys varyKeys;
  private final long maxBytes;
  private final int maxObjectBytes;
  private final int maxVariantsPerKey;
  private final AtomicLong variants = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();
  private final AtomicLong evictedBytes = new AtomicLong();

  /**
   * @param maxBytes the bound on the sum of entry weights (bodies plus header estimates)
   * @param maxObjectBytes bodies larger than this are never stored
   * @param maxVariantsPerKey how many Vary variants one primary key keeps
   * @param varyKeys how request headers become secondary keys
   */
  public ResponseCache(long maxBytes, int maxObjectBytes, int maxVariantsPerKey, VaryKeys varyKeys) {
    if (maxBytes <= 0 || maxObjectBytes < 0 || maxVariantsPerKey < 1) {
      throw new IllegalArgumentException("maxBytes > 0, maxObjectBytes >= 0, maxVariantsPerKey >= 1");
    }
    this.maxBytes = maxBytes;
    this.maxObjectBytes = maxObjectBytes;
    this.maxVariantsPerKey = maxVariantsPerKey;
    this.varyKeys = varyKeys;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .<CacheKey, Variants>weigher((k, v) -> v.weight())
            .executor(Runnable::run)
            .evictionListener(
                (CacheKey k, Variants v, RemovalCause cause) -> {
                  if (v != null) {
                    variants.addAndGet(-v.list().size());
                    evictions.addAndGet(v.list().size());
                    evictedBytes.addAndGet(v.weight());
                  }
                })
            .build();
  }

  /** The most recent stored variant whose Vary-named headers match {@code request} (§4.1), if any. */
  public Optional<StoredResponse> get(CacheKey key, HttpHeaders request) {
    Variants v = cache.getIfPresent(key);
    if (v == null) {
      return Optional.empty();
    }
    for (StoredResponse r : v.list()) {
      if (varyKeys.secondaryKey(r.varyNames(), request).equals(r.secondaryKey())) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Whether a body of {@code length} bytes could be stored at all; -1 (unknown) passes. */
  public boolean fits(long length) {
    return length <= maxObjectBytes && length < maxBytes;
  }

  /**
   * Stores {@code response} under {@code key}, replacing the variant with the same secondary key.
   * Returns false, storing nothing, when it is too large ({@link Storability#TOO_LARGE}).
   */
  public boolean put(CacheKey key, StoredResponse response) {
    if (response.bodyLength() > maxObjectBytes || response.weight() > maxBytes) {
      return false;
    }
    cache.asMap().compute(key, (k, old) -> {
      List<StoredResponse> list = new ArrayList<>(maxVariantsPerKey);
      list.add(response);
      if (old != null) {
        for (StoredResponse r : old.list()) {
          if (list.size() < maxVariantsPerKey && !r.secondaryKey().equals(response.secondaryKey())) {
            list.add(r);
          }
        }
      }
      variants.addAndGet(list.size() - (old == null ? 0 : old.list().size()));
      return Variants.of(list);
    });
    return true;
  }

  /**
   * Replaces {@code previous} with {@code updated} if {@code previous} is still stored (a freshened
   * copy must not resurrect an entry that was purged meanwhile). Returns whether it replaced.
   */
  public boolean replace(CacheKey key, StoredResponse previous, StoredResponse updated) {
    boolean[] done = {false};
    cache.asMap().computeIfPresent(key, (k, old) -> {
      List<StoredResponse> list = new ArrayList<>(old.list());
      int i = list.indexOf(previous);
      if (i < 0) {
        return old;
      }
      done[0] = true;
      list.remove(i);
      list.removeIf(r -> r.secondaryKey().equals(updated.secondaryKey()));
      list.add(0, updated);
      variants.addAndGet(list.size() - old.list().size());
      return Variants.of(list);
    });
    return done[0];
  }

  /** Removes one stored variant, e.g. after a revalidation said it is no longer storable. */
  public void remove(CacheKey key, StoredResponse stored) {
    cache.asMap().computeIfPresent(key, (k, old) -> {
      List<StoredResponse> list = new ArrayList<>(old.list());
      if (!list.remove(stored)) {
        return old;
      }
      variants.addAndGet(-1);
      return list.isEmpty() ? null : Variants.of(list);
    });
  }

  /** Removes every variant of one key (RFC 9111 §4.4 invalidation after an unsafe method). Returns how many. */
  public int invalidate(CacheKey key) {
    int[] removed = {0};
    cache.asMap().computeIfPresent(key, (k, old) -> {
      removed[0] = old.list().size();
      variants.addAndGet(-removed[0]);
      return null;
    });
    return removed[0];
  }

  /**
   * Purges every variant stored for this host and path with query, under any route. Scans the key
   * set (O(entries)); purges are rare administrative calls. Returns how many variants it removed.
   */
  public int purge(String host, String pathAndQuery) {
    CacheKey probe = new CacheKey("", host, pathAndQuery); // normalises the host like real keys
    return removeKeys(k -> k.host().equals(probe.host()) && k.pathAndQuery().equals(pathAndQuery));
  }

  /** Purges everything stored under one route name. Returns how many variants it removed. */
  public int purgeRoute(String route) {
    return removeKeys(k -> k.route().equals(route));
  }

  /** Purges what one route stored for this path with query, on any host. Returns how many variants it removed. */
  public int purgeRoute(String route, String pathAndQuery) {
    return removeKeys(k -> k.route().equals(route) && k.pathAndQuery().equals(pathAndQuery));
  }

  private int removeKeys(Predicate<CacheKey> which) {
    int removed = 0;
    for (CacheKey k : List.copyOf(cache.asMap().keySet())) {
      if (which.test(k)) {
        removed += invalidate(k);
      }
    }
    return removed;
  }

  /** Stored variants now (across all keys). */
  public long entries() {
    return variants.get();
  }

  /** Primary keys now (approximate, as Caffeine counts them). */
  public long keys() {
    return cache.estimatedSize();
  }

  /** The current sum of weights, in bytes; at most {@link #maxBytes()} once {@link #cleanUp()} has run. */
  public long weightedBytes() {
    return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  public long maxBytes() {
    return maxBytes;
  }

  public int maxObjectBytes() {
    return maxObjectBytes;
  }

  /** Variants evicted by the byte bound (including new entries the admission policy rejected). */
  public long evictions() {
    return evictions.get();
  }

  /** Bytes (weights) evicted by the byte bound. */
  public long evictedBytes() {
    return evictedBytes.get();
  }

  /** Runs pending maintenance now (eviction); for tests and for a metrics scrape that wants exact numbers. */
  public void cleanUp() {
    cache.cleanUp();
  }
}
