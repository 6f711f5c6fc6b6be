package dev.weir.dataplane.compress;

import dev.weir.dataplane.compress.CompressionDecision.Reason;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.Zstd;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Response compression for one set of {@link CompressionSettings}; immutable, shared by every
 * exchange that uses those settings. Per exchange, in this order:
 *
 * <ol>
 *   <li>request head arrives: {@link #negotiate(HttpRequest)} → {@link RequestCompression} (keep it
 *       with the exchange);
 *   <li>response head arrives: {@link #prepare(RequestCompression, HttpResponse)} decides and
 *       rewrites the head ({@code Content-Encoding}, {@code Vary}, ...) before it is framed and
 *       written; it returns the {@link CompressionDecision};
 *   <li>if {@link CompressionDecision#compress()}: {@link #newEncoder(CompressionDecision,
 *       ByteBufAllocator)}, then {@link ContentEncoder#encode} every piece of content, {@link
 *       ContentEncoder#finish()} (or {@code finish(last)}) at the end, and {@link
 *       ContentEncoder#close()} when the exchange ends in any other way.
 * </ol>
 *
 * <p>Codings whose native library does not load (brotli4j, zstd-jni) are left out of what is
 * offered, so a dataplane on a platform without them still serves gzip.
 */
public final class Compression {

  private final CompressionSettings settings;
  private final List<ContentCoding> offered;

  /** The settings' preference, without the codings that are not available here. */
  public Compression(CompressionSettings settings) {
    this(settings, Compression::available);
  }

  /** With an explicit notion of what is available (tests; a platform that forbids a codec). */
  Compression(CompressionSettings settings, Predicate<ContentCoding> available) {
    this.settings = settings;
    List<ContentCoding> list = new ArrayList<>();
    for (ContentCoding c : settings.preference()) {
      if (available.test(c)) {
        list.add(c);
      }
    }
    this.offered = List.copyOf(list);
  }

  /** Whether this process can produce a coding (gzip and identity always; brotli and zstd if their native libraries load). */
  public static boolean available(ContentCoding coding) {
    switch (coding) {
      case BROTLI:
        return Brotli.isAvailable();
      case ZSTD:
        return Zstd.isAvailable();
      default:
        return true;
    }
  }

  public CompressionSettings settings() {
    return settings;
  }

  /** The codings offered, most preferred first. */
  public List<ContentCoding> offered() {
    return offered;
  }

  /**
   * At request time: the coding the client gets if its response turns out compressible, and what
   * in the request rules compression out. Call it with the client's request head as received (before
   * hop-by-hop headers such as {@code Upgrade} are stripped).
   */
  public RequestCompression negotiate(HttpRequest request) {
    HttpHeaders h = request.headers();
    ContentCoding accepted = AcceptEncoding.of(h).select(offered);
    boolean tunnel =
        HttpMethod.CONNECT.equals(request.method())
            || h.contains(HttpHeaderNames.UPGRADE)
            || h.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true);
    return new RequestCompression(
        accepted,
        HttpMethod.HEAD.equals(request.method()),
        h.contains(HttpHeaderNames.RANGE),
        tunnel,
        hasDirective(h, HttpHeaderNames.CACHE_CONTROL, "no-transform"));
  }

  /**
   * At response time, without changing anything: whether to compress, and whether the response
   * varies on {@code Accept-Encoding}. Rules in order: status (1xx, 204, 205, 206, 304), tunnel,
   * {@code Content-Range}, an existing {@code Content-Encoding} other than identity,
   * {@code no-transform} (response or request), media type, {@code Content-Length} below the
   * minimum (or 0); the response is compressible from here, so it varies on {@code Accept-Encoding};
   * then HEAD, {@code Range}, and the negotiated coding.
   */
  public CompressionDecision decide(RequestCompression request, HttpResponse response) {
    HttpHeaders h = response.headers();
    int code = response.status().code();
    long length = contentLength(h);
    if (code < 200 || code == 204 || code == 205 || code == 206 || code == 304) {
      return identity(Reason.STATUS, false, length);
    }
    if (request.tunnel()) {
      return identity(Reason.TUNNEL, false, length);
    }
    if (h.contains(HttpHeaderNames.CONTENT_RANGE)) {
      return identity(Reason.PARTIAL, false, length);
    }
    if (encoded(h)) {
      return identity(Reason.ALREADY_ENCODED, false, length);
    }
    if (request.noTransform() || hasDirective(h, HttpHeaderNames.CACHE_CONTROL, "no-transform")) {
      return identity(Reason.NO_TRANSFORM, false, length);
    }
    if (!settings.types().compressible(h.get(HttpHeaderNames.CONTENT_TYPE))) {
      return identity(Reason.TYPE, false, length);
    }
    if (length == 0 || (length > 0 && length < settings.minLength())) {
      return identity(Reason.TOO_SMALL, false, length);
    }
    if (offered.isEmpty()) {
      return identity(Reason.NOT_ACCEPTED, false, length); // compression off: nothing varies
    }
    if (request.head()) {
      return identity(Reason.HEAD, true, length);
    }
    if (request.range()) {
      return identity(Reason.RANGE, true, length);
    }
    if (request.accepted() == ContentCoding.IDENTITY) {
      return identity(Reason.NOT_ACCEPTED, true, length);
    }
    return new CompressionDecision(request.accepted(), true, Reason.COMPRESSED, length);
  }

  /** {@link #decide} and then {@link CompressionDecision#applyTo} on the response's headers. */
  public CompressionDecision prepare(RequestCompression request, HttpResponse response) {
    CompressionDecision d = decide(request, response);
    d.applyTo(response.headers());
    return d;
  }

  /** The encoder for a response {@link #decide} chose to compress. */
  public ContentEncoder newEncoder(CompressionDecision decision, ByteBufAllocator alloc) {
    if (!decision.compress()) {
      throw new IllegalArgumentException("the decision was not to compress: " + decision);
    }
    return newEncoder(decision.coding(), alloc, decision.contentLength());
  }

  /**
   * An encoder with these settings' level for {@code coding}.
   *
   * @param lengthHint the body's exact length when known, else -1 (zstd pledges it: see {@link ZstdEncoder})
   */
  public ContentEncoder newEncoder(ContentCoding coding, ByteBufAllocator alloc, long lengthHint) {
    switch (coding) {
      case GZIP:
        return new GzipEncoder(alloc, settings.gzipLevel(), lengthHint);
      case BROTLI:
        return new BrotliEncoder(alloc, settings.brotliQuality(), settings.brotliWindowBits(), lengthHint);
      case ZSTD:
        return new ZstdEncoder(alloc, settings.zstdLevel(), lengthHint);
      default:
        throw new IllegalArgumentException("no encoder for " + coding);
    }
  }

  private static CompressionDecision identity(Reason reason, boolean vary, long length) {
    return new CompressionDecision(ContentCoding.IDENTITY, vary, reason, length);
  }

  /** The Content-Length, or -1 when absent or not a single non-negative number. */
  private static long contentLength(HttpHeaders h) {
    String v = h.get(HttpHeaderNames.CONTENT_LENGTH);
    if (v == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(v.trim());
      return n < 0 ? -1 : n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean encoded(HttpHeaders h) {
    for (String value : h.getAll(HttpHeaderNames.CONTENT_ENCODING)) {
      for (String part : value.split(",")) {
        String coding = part.trim();
        if (!coding.isEmpty() && !coding.equalsIgnoreCase("identity")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether a comma-list header has a directive (with or without a value), ignoring case. */
  private static boolean hasDirective(HttpHeaders h, CharSequence name, String directive) {
    for (String value : h.getAll(name)) {
      for (String part : value.split(",")) {
        String d = part.trim();
        int eq = d.indexOf('=');
        if (eq >= 0) {
          d = d.substring(0, eq).trim();
        }
        if (d.equalsIgnoreCase(directive)) {
          return true;
        }
      }
    }
    return false;
  }
}
