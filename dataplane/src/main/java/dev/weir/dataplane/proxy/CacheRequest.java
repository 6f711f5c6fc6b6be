package dev.weir.dataplane.proxy;

import dev.weir.dataplane.cache.CacheKey;
import dev.weir.dataplane.cache.CollapsedForwarding;
import dev.weir.dataplane.cache.Lookup;
import dev.weir.dataplane.cache.StoredResponse;
import dev.weir.dataplane.routing.RouteMatch;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Arrays;

/**
 * A request of a cached route that the {@link CacheHandler} passed on to the proxy, and what its
 * response does to the cache: one per request, in the handler's queue until its response is written.
 * Holds the copy of the body being stored. Only the connection's event loop touches it.
 */
final class CacheRequest {

  /** What happens to the response. */
  enum Mode {
    /** Not cacheable (a method other than GET/HEAD, a Range request, preconditions): untouched but for the status header. */
    PASS,
    /** An unsafe method on a cached route: a success invalidates the URL's stored responses (§4.4). */
    INVALIDATE,
    /** A miss: stored if the rules allow. */
    STORE,
    /** A stale hit asked the upstream with validators: 304 answers from the entry. */
    REVALIDATE,
    /** As REVALIDATE, but the client already got the stale entry: nothing goes to it. */
    BACKGROUND
  }

  final Mode mode;
  final RouteMatch route;
  final CacheKey key;
  final HttpMethod method;
  /** The client's headers as they arrived (the proxy rewrites the request's own): Vary, conditionals. */
  final HttpHeaders requestHeaders;
  final StoredResponse stored;
  final Lookup lookup;
  final CollapsedForwarding.Leader leader;
  final long requestTimeMillis;
  boolean started;
  /** The upstream's response is not passed on (a 304 or an error answered from the entry, a background fetch). */
  boolean swallow;
  int status;
  /** The response head as it arrived here (a 304's, or the one being stored). */
  HttpHeaders head;
  String connection;
  long responseTimeMillis;
  private byte[] body;
  private int length;
  private boolean capturing;

  CacheRequest(Mode mode, RouteMatch route, CacheKey key, HttpMethod method, HttpHeaders requestHeaders, Lookup lookup,
      CollapsedForwarding.Leader leader, long now) {
    this.mode = mode;
    this.route = route;
    this.key = key;
    this.method = method;
    this.requestHeaders = requestHeaders;
    this.lookup = lookup;
    this.stored = lookup == null ? null : lookup.stored();
    this.leader = leader;
    this.requestTimeMillis = now;
  }

  /** The route's status header, or null for none. */
  String statusHeader() {
    return route == null || route.route().cache() == null ? null : route.route().cache().statusHeaderName();
  }

  /** Starts copying the body of a storable response whose head is {@code head} ({@code length} -1 when unknown). */
  void startCapture(HttpHeaders responseHead, long responseTimeMillis, long length) {
    this.capturing = true;
    this.head = new DefaultHttpHeaders().set(responseHead);
    this.responseTimeMillis = responseTimeMillis;
    this.body = new byte[length >= 0 ? (int) length : 4096];
  }

  boolean capturing() {
    return capturing;
  }

  /** Copies body bytes of the response being stored; past the route's object limit it stops and stores nothing. */
  void capture(ByteBuf content) {
    if (!capturing || !content.isReadable()) {
      return;
    }
    int n = content.readableBytes();
    long limit = route.route().cache().objectLimit();
    if ((long) length + n > limit) {
      capturing = false;
      body = null;
      return;
    }
    if (length + n > body.length) {
      body = Arrays.copyOf(body, (int) Math.min(limit, Math.max((long) body.length * 2, length + n)));
    }
    content.getBytes(content.readerIndex(), body, length, n);
    length += n;
  }

  /** The body copied so far, exactly its length. */
  byte[] capturedBody() {
    return length == body.length ? body : Arrays.copyOf(body, length);
  }
}
