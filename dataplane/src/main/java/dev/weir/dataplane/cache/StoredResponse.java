package dev.weir.dataplane.cache;

import dev.weir.dataplane.proxy.HopByHopHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One stored response (RFC 9111 §3): status, header fields without the hop-by-hop ones
 * (RFC 9110 §7.6.1, including those Connection names), the complete body, the request and
 * response times of the exchange that produced it, and what is derived from them once (parsed
 * Cache-Control, freshness lifetime, corrected initial age). Immutable and safe to share between
 * event loops; freshening makes a new instance.
 *
 * <p>Content-Length is rewritten to the stored body's length and Transfer-Encoding dropped,
 * because the body is kept whole. A response without Date gets one set to its response time, as
 * a recipient with a clock must (RFC 9110 §6.6.1).
 */
public final class StoredResponse {

  /** Rough per-header and per-entry overheads for the byte weigher: object headers, references, strings. */
  private static final int HEADER_OVERHEAD = 48;
  private static final int ENTRY_OVERHEAD = 160;

  private final int status;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final long requestTimeMillis;
  private final long responseTimeMillis;
  private final CacheControl cacheControl;
  private final List<String> varyNames;
  private final String secondaryKey;
  private final long dateMillis;
  private final long lastModifiedMillis;
  private final String etag;
  private final long lifetimeSeconds;
  private final long correctedInitialAgeMillis;
  private final int weight;

  private StoredResponse(
      int status, HttpHeaders clean, byte[] body, long requestTimeMillis, long responseTimeMillis,
      List<String> varyNames, String secondaryKey, Duration heuristicCap) {
    this.status = status;
    this.body = body;
    this.requestTimeMillis = requestTimeMillis;
    this.responseTimeMillis = responseTimeMillis;
    this.varyNames = List.copyOf(varyNames);
    this.secondaryKey = secondaryKey;
    this.cacheControl = CacheControl.of(clean);
    long date = HttpDates.parse(clean.getAll(HttpHeaderNames.DATE));
    if (!HttpDates.valid(date)) {
      date = responseTimeMillis;
      clean.set(HttpHeaderNames.DATE, HttpDates.format(responseTimeMillis));
    }
    this.dateMillis = date;
    this.lastModifiedMillis = HttpDates.parse(clean.getAll(HttpHeaderNames.LAST_MODIFIED));
    this.etag = clean.get(HttpHeaderNames.ETAG);
    long expires = HttpDates.parse(clean.getAll(HttpHeaderNames.EXPIRES));
    this.lifetimeSeconds =
        FreshnessLifetime.seconds(status, cacheControl, expires, dateMillis, lastModifiedMillis, heuristicCap);
    this.correctedInitialAgeMillis =
        AgeCalculation.correctedInitialAgeMillis(
            requestTimeMillis, responseTimeMillis, dateMillis,
            AgeCalculation.parseAge(clean.get(HttpHeaderNames.AGE)));
    List<Map.Entry<String, String>> list = new ArrayList<>(clean.size());
    long w = ENTRY_OVERHEAD + (long) body.length + secondaryKey.length() * 2L;
    for (Iterator<Map.Entry<String, String>> it = clean.iteratorAsString(); it.hasNext(); ) {
      Map.Entry<String, String> e = it.next();
      list.add(Map.entry(e.getKey(), e.getValue()));
      w += HEADER_OVERHEAD + 2L * (e.getKey().length() + e.getValue().length());
    }
    this.headers = List.copyOf(list);
    this.weight = (int) Math.min(Integer.MAX_VALUE, w);
  }

  /**
   * Builds a stored response from what the upstream sent. {@code responseHeaders} is not modified.
   *
   * @param requestTimeMillis the cache clock when the request went upstream (§4.2.3 request_time)
   * @param responseTimeMillis the cache clock when the response head arrived (§4.2.3 response_time)
   */
  static StoredResponse create(
      int status, HttpHeaders responseHeaders, byte[] body, long requestTimeMillis,
      long responseTimeMillis, List<String> varyNames, String secondaryKey, Duration heuristicCap) {
    HttpHeaders clean = new DefaultHttpHeaders().set(responseHeaders);
    HopByHopHeaders.strip(clean);
    clean.remove(HttpHeaderNames.TRANSFER_ENCODING);
    clean.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return new StoredResponse(status, clean, body, requestTimeMillis, responseTimeMillis, varyNames,
        secondaryKey, heuristicCap);
  }

  /**
   * Freshening from a 304 (RFC 9111 §4.3.4 and the update rules of §3.2): every field of the 304
   * replaces all stored fields of that name, except Content-Length, hop-by-hop fields, and
   * Set-Cookie (never stored, our policy); Age is dropped unless the 304 has one, because it
   * described the old message; the request and response times become those of the revalidation.
   */
  StoredResponse freshen(
      HttpHeaders notModifiedHeaders, long requestTimeMillis, long responseTimeMillis,
      List<String> newVaryNames, String newSecondaryKey, Duration heuristicCap) {
    HttpHeaders update = new DefaultHttpHeaders().set(notModifiedHeaders);
    HopByHopHeaders.strip(update);
    update.remove(HttpHeaderNames.TRANSFER_ENCODING);
    update.remove(HttpHeaderNames.CONTENT_LENGTH);
    update.remove(HttpHeaderNames.SET_COOKIE);
    HttpHeaders merged = toHttpHeaders();
    merged.remove(HttpHeaderNames.AGE);
    if (!update.contains(HttpHeaderNames.DATE)) {
      // the 304 is the message whose age we now track; without a Date it is "now" (RFC 9110 §6.6.1)
      update.set(HttpHeaderNames.DATE, HttpDates.format(responseTimeMillis));
    }
    for (String name : update.names()) {
      merged.set(name, update.getAll(name));
    }
    return new StoredResponse(status, merged, body, requestTimeMillis, responseTimeMillis,
        newVaryNames, newSecondaryKey, heuristicCap);
  }

  public int status() {
    return status;
  }

  /** The stored header fields in received order, each name as received (compare case-insensitively). */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** The status line and stored header lines in HTTP/1.1 wire form, without Age and the final blank line; built once. */
  private volatile byte[] wireHead;

  /**
   * The response head as HTTP/1.1 sends it ({@code HTTP/1.1 200 OK\r\n} and one {@code name: value\r\n} per
   * stored field, Age left out), without the blank line that ends it: the caller appends Age and its own
   * fields. Made on first use and kept (a race makes it twice, the same bytes).
   */
  public byte[] wireHead() {
    byte[] w = wireHead;
    if (w == null) {
      StringBuilder b = new StringBuilder(256).append("HTTP/1.1 ").append(status).append(' ')
          .append(HttpResponseStatus.valueOf(status).reasonPhrase()).append("\r\n");
      for (Map.Entry<String, String> e : headers) {
        if (!AsciiString.contentEqualsIgnoreCase(e.getKey(), HttpHeaderNames.AGE)) {
          b.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
      }
      w = b.toString().getBytes(StandardCharsets.ISO_8859_1);
      wireHead = w;
    }
    return w;
  }

  /** Copies the body into {@code out} (no read-only view, no wrapper). */
  public void writeBody(ByteBuf out) {
    out.writeBytes(body);
  }

  /** A fresh, mutable copy of the stored headers, for the response the caller builds. */
  public HttpHeaders toHttpHeaders() {
    HttpHeaders h = new DefaultHttpHeaders();
    for (Map.Entry<String, String> e : headers) {
      h.add(e.getKey(), e.getValue());
    }
    return h;
  }

  /** The first value of a header, or null. */
  public String header(CharSequence name) {
    for (Map.Entry<String, String> e : headers) {
      if (AsciiString.contentEqualsIgnoreCase(e.getKey(), name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** A read-only view of the body; wrap it with {@code Unpooled.wrappedBuffer(body())} to send it without copying. */
  public ByteBuffer body() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  public int bodyLength() {
    return body.length;
  }

  public long requestTimeMillis() {
    return requestTimeMillis;
  }

  public long responseTimeMillis() {
    return responseTimeMillis;
  }

  public CacheControl cacheControl() {
    return cacheControl;
  }

  /** The lower-cased field names of the stored Vary, sorted, without duplicates. */
  public List<String> varyNames() {
    return varyNames;
  }

  /** The secondary key this variant is stored under ({@link VaryKeys#secondaryKey}). */
  public String secondaryKey() {
    return secondaryKey;
  }

  /** Date as epoch millis (always present on a stored response). */
  public long dateMillis() {
    return dateMillis;
  }

  /** Last-Modified as epoch millis, or {@link Long#MIN_VALUE} (absent) / {@code MIN_VALUE + 1} (invalid). */
  public long lastModifiedMillis() {
    return lastModifiedMillis;
  }

  /** The stored ETag field value, or null. */
  public String etag() {
    return etag;
  }

  /** §4.2.1 freshness lifetime in seconds. */
  public long lifetimeSeconds() {
    return lifetimeSeconds;
  }

  /** §4.2.3 current_age in whole seconds at {@code nowMillis} on the cache's clock. */
  public long currentAgeSeconds(long nowMillis) {
    return AgeCalculation.currentAgeSeconds(correctedInitialAgeMillis, responseTimeMillis, nowMillis);
  }

  /** What this entry costs the byte bound: body plus an estimate of headers and object overhead. */
  public int weight() {
    return weight;
  }

  boolean hasValidator() {
    return etag != null || HttpDates.valid(lastModifiedMillis);
  }
}
