package dev.weir.dataplane.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of one {@link HttpCache}.
 *
 * @param maxBytes bound on stored bytes (bodies plus header estimates) of the whole instance
 * @param maxObjectBytes larger bodies are never stored (the route's {@code maxObjectSize})
 * @param maxVariantsPerKey how many Vary variants one URL keeps
 * @param heuristicCap the cap on heuristic freshness ({@link FreshnessLifetime})
 * @param varyKeys secondary-key normalisation, e.g. Accept-Encoding by the chosen encoding
 */
public record CacheSettings(
    long maxBytes, int maxObjectBytes, int maxVariantsPerKey, Duration heuristicCap, VaryKeys varyKeys) {

  public CacheSettings {
    Objects.requireNonNull(heuristicCap, "heuristicCap");
    Objects.requireNonNull(varyKeys, "varyKeys");
  }

  /** 8 variants, a one-hour heuristic cap and standard Vary normalisation. */
  public static CacheSettings of(long maxBytes, int maxObjectBytes) {
    return new CacheSettings(maxBytes, maxObjectBytes, 8, FreshnessLifetime.DEFAULT_HEURISTIC_CAP, VaryKeys.standard());
  }
}
