package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.crds.v1alpha1.RouteCache;
import dev.weir.crds.v1alpha1.RouteCompression;
import dev.weir.snapshot.CachePolicy;
import dev.weir.snapshot.CompressionPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A ProxyRoute rule's {@code cache} and {@code compression} → {@link CachePolicy} and {@link CompressionPolicy}.
 * Each returns empty for "none" (the block omitted, or {@code enabled: false}) and null (with every problem
 * recorded) when a value is invalid; the caller then serves nothing of the rule, as for an invalid timeout: a
 * rule is not served with a cache, a purge or compression other than the one its author asked for.
 */
final class ProxyRouteCaching {
  private ProxyRouteCaching() {}

  /** Omitted fields are left at the snapshot's defaults (0 / null: 1 MiB, {@code X-Cache}). */
  static Optional<CachePolicy> cache(RouteCache spec, String field, ObjectStatus status) {
    if (spec == null || Boolean.FALSE.equals(spec.getEnabled())) {
      return Optional.empty();
    }
    boolean valid = true;
    long maxObject = 0;
    if (spec.getMaxObjectSize() != null) {
      maxObject = positiveSize(spec.getMaxObjectSize(), "1Mi", field + ".maxObjectSize", status);
      valid &= maxObject > 0;
    }
    String header = spec.getStatusHeader();
    if (header != null) {
      String problem = CachingRules.checkStatusHeader(header);
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".statusHeader: " + problem);
        valid = false;
      }
    }
    CachePolicy.Purge purge = null;
    if (spec.getPurge() != null) {
      purge = purge(spec.getPurge(), field + ".purge", status);
      valid &= purge != null;
    }
    return valid ? Optional.of(new CachePolicy(maxObject, header, purge)) : null;
  }

  /**
   * Paths are written sorted and once each: their order means nothing, and an equal set gives an equal
   * snapshot. Null (with problems recorded) when invalid.
   */
  private static CachePolicy.Purge purge(RouteCache.Purge spec, String field, ObjectStatus status) {
    boolean valid = true;
    if (spec.getGeneration() == null) {
      status.problem(Reason.Invalid, field + ".generation: must be set (bump it to purge)");
      valid = false;
    }
    Set<String> paths = new TreeSet<>();
    List<String> given = spec.getPaths() == null ? List.of() : spec.getPaths();
    if (given.size() > RouteCache.MAX_PURGE_PATHS) {
      status.problem(Reason.Invalid, field + ".paths: at most " + RouteCache.MAX_PURGE_PATHS + " paths, got " + given.size());
      valid = false;
    }
    for (int i = 0; i < given.size(); i++) {
      String problem = CachingRules.checkPurgePath(given.get(i));
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".paths[" + i + "]: " + problem);
        valid = false;
      } else {
        paths.add(given.get(i));
      }
    }
    return valid ? new CachePolicy.Purge(spec.getGeneration(), List.copyOf(paths)) : null;
  }

  /**
   * Omitted fields are left at the snapshot's defaults (zstd, br, gzip; 1 KiB; the dataplane's types).
   * Encodings keep their order (it is the preference); content types are lowercased and written once each.
   */
  static Optional<CompressionPolicy> compression(RouteCompression spec, String field, ObjectStatus status) {
    if (spec == null || Boolean.FALSE.equals(spec.getEnabled())) {
      return Optional.empty();
    }
    boolean valid = true;
    List<String> encodings = List.of();
    if (spec.getEncodings() != null) {
      encodings = spec.getEncodings();
      if (encodings.isEmpty()) {
        status.problem(Reason.Invalid, field + ".encodings: must list at least one (omit it for zstd, br, gzip)");
        valid = false;
      }
      for (int i = 0; i < encodings.size(); i++) {
        String e = encodings.get(i);
        String problem = CachingRules.checkEncoding(e);
        if (problem != null) {
          status.problem(Reason.UnsupportedValue, field + ".encodings[" + i + "]: " + problem);
          valid = false;
        } else if (encodings.subList(0, i).contains(e)) {
          status.problem(Reason.Invalid, field + ".encodings[" + i + "]: \"" + e + "\" is listed twice");
          valid = false;
        }
      }
    }
    long min = 0;
    if (spec.getMinSize() != null) {
      Parsed p = Quantities.parseBytes(spec.getMinSize());
      if (!p.ok()) {
        status.problem(Reason.Invalid, field + ".minSize: " + p.problem());
        valid = false;
      }
      // 0 in the snapshot means "the default"; at least 1 byte is what "0" asks for (an empty body is never encoded).
      min = Math.max(p.value(), 1);
    }
    List<String> types = List.of();
    if (spec.getContentTypes() != null) {
      types = contentTypes(spec.getContentTypes(), field + ".contentTypes", status);
      valid &= types != null;
    }
    return valid ? Optional.of(new CompressionPolicy(encodings, min, types)) : null;
  }

  private static List<String> contentTypes(List<String> given, String field, ObjectStatus status) {
    boolean valid = true;
    if (given.isEmpty()) {
      status.problem(Reason.Invalid, field + ": must list at least one (omit it for the dataplane's default list)");
      valid = false;
    }
    if (given.size() > RouteCompression.MAX_CONTENT_TYPES) {
      status.problem(Reason.Invalid, field + ": at most " + RouteCompression.MAX_CONTENT_TYPES + " types, got " + given.size());
      valid = false;
    }
    Set<String> types = new LinkedHashSet<>();
    for (int i = 0; i < given.size(); i++) {
      String problem = CachingRules.checkMediaRange(given.get(i));
      if (problem != null) {
        status.problem(Reason.Invalid, field + "[" + i + "]: " + problem);
        valid = false;
      } else {
        types.add(CachingRules.normaliseMediaRange(given.get(i)));
      }
    }
    return valid ? new ArrayList<>(types) : null;
  }

  /** Bytes above 0, or -1 (with a problem recorded) when invalid or 0. */
  private static long positiveSize(String text, String omitted, String field, ObjectStatus status) {
    Parsed p = Quantities.parseBytes(text);
    String problem = !p.ok() ? p.problem()
        : p.value() == 0 ? "\"" + text + "\" must be above 0 (omit it for " + omitted + ")" : null;
    if (problem != null) {
      status.problem(Reason.Invalid, field + ": " + problem);
      return -1;
    }
    return p.value();
  }
}
