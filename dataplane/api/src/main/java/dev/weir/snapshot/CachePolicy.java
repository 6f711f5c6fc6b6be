package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A route's HTTP cache (RFC 9111, as a shared cache): responses the rules allow are kept in the
 * dataplane replica's memory (bounded for all routes together by the dataplane's {@code --cache-size})
 * and served to later requests without going upstream. A route without one ({@code Route.cache} null)
 * never stores or serves from the cache.
 *
 * @param maxObjectBytes responses with bodies larger than this are never stored (0 means 1 MiB)
 * @param statusHeader response header that says what the cache did ({@code HIT}, {@code MISS},
 *     {@code STALE}, {@code REVALIDATED}, {@code BYPASS}); null means {@code X-Cache}, empty means none
 * @param purge drops stored responses of the route when its generation changes: every path, or the
 *     ones listed; null for none
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record CachePolicy(
    long maxObjectBytes,
    // NON_DEFAULT would leave "" (no header) out, and it would come back as null (X-Cache).
    @JsonInclude(JsonInclude.Include.NON_NULL) String statusHeader,
    Purge purge) {

  public static final long DEFAULT_MAX_OBJECT_BYTES = 1024 * 1024;
  public static final String DEFAULT_STATUS_HEADER = "X-Cache";

  /** Caching with every default. */
  public static final CachePolicy DEFAULT = new CachePolicy(0, null, null);

  public CachePolicy {
    if (maxObjectBytes < 0) {
      throw new IllegalArgumentException("maxObjectBytes must not be negative");
    }
  }

  public long objectLimit() {
    return maxObjectBytes == 0 ? DEFAULT_MAX_OBJECT_BYTES : maxObjectBytes;
  }

  /** The header to set, or null for none. */
  public String statusHeaderName() {
    return statusHeader == null ? DEFAULT_STATUS_HEADER : statusHeader.isEmpty() ? null : statusHeader;
  }

  /**
   * A purge request pushed with the snapshot: a replica that sees a generation it has not applied for
   * this route drops the route's stored responses (all, or those for {@code paths}: path and query, exact),
   * once. The same generation again (a later snapshot, a reconnect) purges nothing more.
   *
   * @param generation any number; a change means "purge again"
   * @param paths request targets ({@code /a?b=c}) to drop on every host of the route; empty means all
   */
  public record Purge(long generation, List<String> paths) {
    public Purge {
      paths = paths == null ? List.of() : List.copyOf(paths);
    }
  }
}
