package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.CachePolicy;
import dev.weir.snapshot.CompressionPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cache and compression annotations of an Ingress, for every route of the Ingress (the ProxyRoute's
 * {@code cache} and {@code compression}, see {@link ProxyRouteCaching}):
 * <ul>
 *   <li>{@value #CACHE} {@code "true"} caches (RFC 9111, a shared cache), with {@value #CACHE_MAX_OBJECT_SIZE}
 *       (a Kubernetes quantity above 0, default 1Mi), {@value #CACHE_STATUS_HEADER} (a header name, default
 *       {@code X-Cache}; {@code ""}: none) and {@value #CACHE_PURGE_GENERATION} (a whole number; a new value
 *       drops everything the Ingress's routes stored, once);
 *   <li>{@value #COMPRESSION} {@code "true"} compresses responses (ingress-nginx's {@code use-gzip}, per
 *       Ingress), with {@value #COMPRESSION_ENCODINGS} ({@code br}, {@code zstd}, {@code gzip}, in order of
 *       preference; default all three), {@value #COMPRESSION_MIN_SIZE} (a quantity, default 1Ki) and
 *       {@value #COMPRESSION_TYPES} (media types, {@code text/*} and {@code application/*+json} wildcards;
 *       default the dataplane's list). Lists are separated by commas or spaces (ingress-nginx's
 *       {@code gzip-types} uses spaces).
 * </ul>
 * The switches are {@code "true"} or {@code "false"} (case-insensitive). As with the canary annotations, the
 * other annotations of a feature whose switch is not {@code "true"} are ignored.
 */
final class IngressCaching {
  static final String CACHE = "weir.dev/cache";
  static final String CACHE_MAX_OBJECT_SIZE = "weir.dev/cache-max-object-size";
  static final String CACHE_STATUS_HEADER = "weir.dev/cache-status-header";
  static final String CACHE_PURGE_GENERATION = "weir.dev/cache-purge-generation";
  static final String COMPRESSION = "weir.dev/compression";
  static final String COMPRESSION_ENCODINGS = "weir.dev/compression-encodings";
  static final String COMPRESSION_MIN_SIZE = "weir.dev/compression-min-size";
  static final String COMPRESSION_TYPES = "weir.dev/compression-types";

  private static final Pattern GENERATION = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern LIST_SEPARATOR = Pattern.compile("[\\s,]+");

  /** What every route of the Ingress gets; nulls: none. */
  record Caching(CachePolicy cache, CompressionPolicy compression) {
    static final Caching NONE = new Caching(null, null);
  }

  private IngressCaching() {}

  /** The settings, or null when an annotation is invalid (each invalid one recorded as a problem). */
  static Caching parse(Map<String, String> a, ObjectStatus status) {
    if (a == null || a.isEmpty()) {
      return Caching.NONE;
    }
    int cacheOn = IngressAnnotations.flag(a, CACHE, status);
    int compressionOn = IngressAnnotations.flag(a, COMPRESSION, status);
    boolean valid = cacheOn >= 0 && compressionOn >= 0;
    CachePolicy cache = null;
    if (cacheOn == 1) {
      cache = cache(a, status);
      valid &= cache != null;
    }
    CompressionPolicy compression = null;
    if (compressionOn == 1) {
      compression = compression(a, status);
      valid &= compression != null;
    }
    return valid ? new Caching(cache, compression) : null;
  }

  private static CachePolicy cache(Map<String, String> a, ObjectStatus status) {
    boolean valid = true;
    long maxObject = 0;
    String size = a.get(CACHE_MAX_OBJECT_SIZE);
    if (size != null) {
      Parsed p = Quantities.parseBytes(size.trim());
      String problem = !p.ok() ? p.problem()
          : p.value() == 0 ? "\"" + size + "\" must be above 0 (remove the annotation for 1Mi)" : null;
      if (problem != null) {
        status.problem(Reason.Invalid, IngressAnnotations.field(CACHE_MAX_OBJECT_SIZE) + ": " + problem);
        valid = false;
      }
      maxObject = p.value();
    }
    String header = a.get(CACHE_STATUS_HEADER);
    if (header != null) {
      header = header.trim();
      String problem = CachingRules.checkStatusHeader(header);
      if (problem != null) {
        status.problem(Reason.Invalid, IngressAnnotations.field(CACHE_STATUS_HEADER) + ": " + problem);
        valid = false;
      }
    }
    CachePolicy.Purge purge = null;
    String generation = a.get(CACHE_PURGE_GENERATION);
    if (generation != null) {
      if (GENERATION.matcher(generation.trim()).matches()) {
        purge = new CachePolicy.Purge(Long.parseLong(generation.trim()), List.of());
      } else {
        status.problem(Reason.Invalid, IngressAnnotations.field(CACHE_PURGE_GENERATION) + ": \"" + generation
            + "\" is not a whole number (bump it to purge)");
        valid = false;
      }
    }
    return valid ? new CachePolicy(maxObject, header, purge) : null;
  }

  private static CompressionPolicy compression(Map<String, String> a, ObjectStatus status) {
    boolean valid = true;
    List<String> encodings = List.of();
    String listed = a.get(COMPRESSION_ENCODINGS);
    if (listed != null) {
      encodings = words(listed);
      String field = IngressAnnotations.field(COMPRESSION_ENCODINGS);
      if (encodings.isEmpty()) {
        status.problem(Reason.Invalid, field + ": must list at least one of br, zstd, gzip (remove it for all three)");
        valid = false;
      }
      for (int i = 0; i < encodings.size(); i++) {
        String problem = CachingRules.checkEncoding(encodings.get(i));
        if (problem != null) {
          status.problem(Reason.UnsupportedValue, field + ": " + problem);
          valid = false;
        } else if (encodings.subList(0, i).contains(encodings.get(i))) {
          status.problem(Reason.Invalid, field + ": \"" + encodings.get(i) + "\" is listed twice");
          valid = false;
        }
      }
    }
    long min = 0;
    String size = a.get(COMPRESSION_MIN_SIZE);
    if (size != null) {
      Parsed p = Quantities.parseBytes(size.trim());
      if (!p.ok()) {
        status.problem(Reason.Invalid, IngressAnnotations.field(COMPRESSION_MIN_SIZE) + ": " + p.problem());
        valid = false;
      }
      min = Math.max(p.value(), 1); // "0": everything; 0 in the snapshot would mean the default
    }
    List<String> types = List.of();
    String typeList = a.get(COMPRESSION_TYPES);
    if (typeList != null) {
      String field = IngressAnnotations.field(COMPRESSION_TYPES);
      List<String> given = words(typeList);
      if (given.isEmpty()) {
        status.problem(Reason.Invalid, field + ": must list at least one media type (remove it for the default list)");
        valid = false;
      }
      Set<String> checked = new LinkedHashSet<>();
      for (String t : given) {
        String problem = CachingRules.checkMediaRange(t);
        if (problem != null) {
          status.problem(Reason.Invalid, field + ": " + problem);
          valid = false;
        } else {
          checked.add(CachingRules.normaliseMediaRange(t));
        }
      }
      types = new ArrayList<>(checked);
    }
    return valid ? new CompressionPolicy(encodings, min, types) : null;
  }

  private static List<String> words(String list) {
    return LIST_SEPARATOR.splitAsStream(list).filter(w -> !w.isEmpty()).toList();
  }
}
