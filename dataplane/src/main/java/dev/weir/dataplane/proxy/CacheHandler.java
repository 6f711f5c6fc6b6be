package dev.weir.dataplane.proxy;

import dev.weir.dataplane.cache.CacheKey;
import dev.weir.dataplane.cache.ClientConditionals;
import dev.weir.dataplane.cache.CollapsedForwarding;
import dev.weir.dataplane.cache.Freshness;
import dev.weir.dataplane.cache.HttpCache;
import dev.weir.dataplane.cache.Lookup;
import dev.weir.dataplane.cache.Revalidation;
import dev.weir.dataplane.cache.Storability;
import dev.weir.dataplane.cache.StoreResult;
import dev.weir.dataplane.cache.StoredResponse;
import dev.weir.dataplane.compress.Compression;
import dev.weir.dataplane.config.RuntimeConfig;
import dev.weir.dataplane.pipeline.EncodedResponse;
import dev.weir.dataplane.pipeline.PipelineNames;
import dev.weir.dataplane.routing.HostNames;
import dev.weir.dataplane.routing.RouteMatch;
import dev.weir.snapshot.CachePolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * The HTTP cache of routes with a {@code cache} policy (RFC 9111, shared cache), between the HTTP
 * codec and the proxy (and in front of {@link CompressionHandler}, so that what it stores is what the
 * client got: compressed variants, keyed by the encoding the route negotiates).
 *
 * <p>Each request head that arrives is looked up. A fresh hit is answered here, the proxy never sees
 * the request; so is a hit whose revalidation may wait ({@code stale-while-revalidate}: the request
 * then goes on to the proxy with the stored validators and its answer only freshens the cache). A miss
 * of a GET joins the key's flight ({@link CollapsedForwarding}): the first goes on to the proxy and
 * its response is stored as it passes on its way out; later ones wait here (reads held) and are
 * answered from what it stored, or go on themselves if it stored nothing. A stale hit goes on with
 * the stored validators: a 304 is answered from the freshened entry, a 5xx (or a proxy-made 502/503/504)
 * from the stale one where {@code stale-if-error} allows. Responses leave in request order, so one
 * queue entry per request that went on pairs each response with its request; a hit is answered here
 * only when nothing is queued (a pipelined request behind others just goes on).
 *
 * <p>In the pipeline of every connection accepted while the snapshot has a route with a cache; a
 * connection accepted before gets one when a request first goes to such a route ({@link #install}).
 */
public final class CacheHandler extends ChannelDuplexHandler {

  /** A miss waiting for another request's fetch of its key; its messages wait in {@link #held}. */
  private record Parked(CollapsedForwarding.Waiter waiter, RouteMatch route, CacheKey key, HttpRequest request, HttpHeaders keyHeaders) {}

  /** A hit for a request pipelined behind others: answered from {@code stored} once the responses before it are out. */
  private record QueuedAnswer(HttpRequest request, RouteMatch route, HttpHeaders keyHeaders, StoredResponse stored, String xcache) {}

  private static final PassEntry PASS = new PassEntry();

  /** The entry of requests that do nothing to the cache (shared: it has no state). */
  private static final class PassEntry {}

  private final ProxyContext px;
  private final RouteMemo routes;
  private final ResponseCaching caching;
  private final HttpCache cache;
  private final ArrayDeque<Object> queue = new ArrayDeque<>(2); // Entry or PASS, one per request that went on
  private final ArrayDeque<Object> held = new ArrayDeque<>(2);
  private final RequestRecord record = new RequestRecord();
  private ChannelHandlerContext ctx;
  private Parked parked;
  private boolean readHeld;
  /** The rest of a request answered here is dropped. */
  private boolean skipBody;
  private boolean http2Stream;
  private String clientIp = "unknown";

  /** @param routes the proxy's request routes on this connection, so that each request is routed once */
  public CacheHandler(ProxyContext px, RouteMemo routes) {
    this.px = px;
    this.routes = routes;
    this.caching = px.caching();
    this.cache = caching.cache();
  }

  /**
   * Puts a cache handler in front of the proxy (and of its compression handler) on a connection that
   * has none, when the proxy is about to serve {@code current} for a route with a cache. The current
   * request and the pipelined ones queued behind it are already the proxy's: the current one's
   * response is stored if it may be (it leads its key's flight if no other request does), the others
   * pass. Returns whether the connection has a cache handler now (not when the replica has no cache).
   */
  static boolean install(ChannelHandlerContext proxy, ProxyContext px, RouteMemo routes, HttpRequest current, RouteMatch route,
      Iterable<HttpRequest> queued) {
    if (px.caching() == null) {
      return false;
    }
    if (proxy.pipeline().get(CacheHandler.class) != null) {
      return true;
    }
    CacheHandler h = new CacheHandler(px, routes);
    ChannelHandlerContext compression = proxy.pipeline().context(CompressionHandler.class);
    proxy.pipeline().addBefore(compression != null ? compression.name() : proxy.name(), PipelineNames.CACHE, h);
    h.queue.add(h.entryForProxy(current, route));
    for (HttpRequest r : queued) {
      if (r != current) {
        h.queue.add(PASS);
      }
    }
    return true;
  }

  private Object entryForProxy(HttpRequest request, RouteMatch route) {
    if (!HttpMethod.GET.equals(request.method()) || request.headers().contains(HttpHeaderNames.RANGE) || proxyDecides(route)) {
      return PASS;
    }
    CacheKey key = key(request, route);
    HttpHeaders keyHeaders = keyHeaders(request, route);
    Lookup l = cache.lookup(key, request.method(), keyHeaders);
    if (l.kind() != Lookup.Kind.MISS) {
      return PASS;
    }
    CollapsedForwarding.Leader leader = caching.flights().tryLead(key).orElse(null);
    return new CacheRequest(CacheRequest.Mode.STORE, route, key, request.method(), keyHeaders, l, leader, cache.nowMillis());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    Channel ch = ctx.channel();
    http2Stream = ch instanceof Http2StreamChannel;
    SocketAddress remote = http2Stream && ch.parent() != null ? ch.parent().remoteAddress() : ch.remoteAddress();
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      clientIp = NetUtil.toAddressString(inet.getAddress());
    }
  }

  // ---- inbound: requests ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (parked != null) {
      held.add(msg);
      return;
    }
    onMessage(msg);
  }

  private void onMessage(Object msg) {
    if (msg instanceof HttpRequest request) {
      skipBody = false;
      if (onRequest(request)) {
        return;
      }
    } else if (skipBody && msg instanceof HttpContent content) {
      skipBody = !(content instanceof LastHttpContent);
      content.release();
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /** True when the request was answered here or is waiting; false: it goes on (its entry is queued). */
  private boolean onRequest(HttpRequest request) {
    RuntimeConfig config = px.config().current();
    RouteMatch route = !config.caches() || request.decoderResult().isFailure() ? null
        : routes.route(request, config).orElse(null);
    CachePolicy policy = route == null ? null : route.route().cache();
    if (policy == null || HttpUtil.is100ContinueExpected(request) || request.headers().contains(HttpHeaderNames.UPGRADE)
        || proxyDecides(route)) {
      queue.add(PASS);
      return false;
    }
    CacheKey key = key(request, route);
    HttpMethod method = request.method();
    if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
      boolean unsafe = !HttpMethod.OPTIONS.equals(method) && !HttpMethod.TRACE.equals(method);
      queue.add(unsafe ? new CacheRequest(CacheRequest.Mode.INVALIDATE, route, key, method, null, null, null, 0) : PASS);
      result(route, "bypass");
      return false;
    }
    if (request.headers().contains(HttpHeaderNames.RANGE)) {
      queue.add(new CacheRequest(CacheRequest.Mode.PASS, route, key, method, null, null, null, 0));
      result(route, "bypass");
      return false;
    }
    HttpHeaders keyHeaders = keyHeaders(request, route);
    Lookup l = cache.lookup(key, method, keyHeaders);
    boolean idle = queue.isEmpty();
    switch (l.kind()) {
      case BYPASS_METHOD, BYPASS_PRECONDITION -> {
        queue.add(new CacheRequest(CacheRequest.Mode.PASS, route, key, method, null, null, null, 0));
        result(route, "bypass");
        return false;
      }
      case ONLY_IF_CACHED_MISS -> {
        if (!idle) {
          queue.add(PASS);
          return false;
        }
        answer(request, route, CachedAnswers.plain(HttpResponseStatus.GATEWAY_TIMEOUT, "not in the cache (only-if-cached)"), "MISS", "miss");
        return true;
      }
      case HIT -> {
        Freshness.State state = l.freshness().state();
        if (state != Freshness.State.STALE && idle) {
          boolean background = state == Freshness.State.STALE_WHILE_REVALIDATE && HttpMethod.GET.equals(method)
              && HttpUtil.isKeepAlive(request) && !draining();
          if (background) {
            ReferenceCountUtil.retain(request); // answering releases it; the background fetch still needs it
          }
          answerStored(request, route, keyHeaders, l.stored(), l.freshness().ageSeconds(),
              state == Freshness.State.FRESH ? "HIT" : "STALE", state == Freshness.State.FRESH ? "hit" : "stale");
          if (background) {
            revalidateInBackground(request, route, key, keyHeaders, l);
          }
          return true;
        }
        if (state != Freshness.State.STALE) {
          // Behind other requests (pipelined, or a background revalidation on this connection): the answer
          // waits in the queue for theirs to go out first. Within stale-while-revalidate it is the stale one;
          // the next request with nothing ahead of it starts the revalidation, if none runs yet.
          skipBody = !(request instanceof LastHttpContent);
          queue.add(new QueuedAnswer(request, route, keyHeaders, l.stored(), state == Freshness.State.FRESH ? "HIT" : "STALE"));
          return true;
        }
        // Must revalidate first.
        HttpHeaders client = copy(keyHeaders, request);
        Revalidation.prepareUpstreamRequest(request.headers(), l.stored());
        queue.add(new CacheRequest(CacheRequest.Mode.REVALIDATE, route, key, method, client, l, null, cache.nowMillis()));
        return false;
      }
      default -> { // MISS
        if (HttpMethod.HEAD.equals(method)) {
          queue.add(new CacheRequest(CacheRequest.Mode.PASS, route, key, method, null, null, null, 0)); // a HEAD answer has no body to store
          result(route, "bypass");
          return false;
        }
        if (!idle) {
          queue.add(new CacheRequest(CacheRequest.Mode.STORE, route, key, method, copy(keyHeaders, request), l, null, cache.nowMillis()));
          return false;
        }
        CollapsedForwarding.Ticket t = caching.flights().join(key, ctx.executor(), outcome -> waitOver(outcome));
        if (t instanceof CollapsedForwarding.Leader leader) {
          queue.add(new CacheRequest(CacheRequest.Mode.STORE, route, key, method, copy(keyHeaders, request), l, leader, cache.nowMillis()));
          return false;
        }
        parked = new Parked((CollapsedForwarding.Waiter) t, route, key, request, keyHeaders);
        held.add(request);
        return true;
      }
    }
  }

  /**
   * Whether the proxy must see the request before anything may answer it: on the plain listener of a
   * route that redirects to HTTPS (the redirect, not a stored page), and on a route whose host demands
   * client certificates (the proxy checks the connection's certificate; a hit must never skip that).
   */
  private boolean proxyDecides(RouteMatch route) {
    return route.clientValidation() != null
        || (route.route().policy().httpsRedirectStatus() != 0 && "http".equals(px.scheme()));
  }

  /**
   * Sends the request on with the stored validators after answering it from the stale entry; its
   * response freshens (or replaces) the entry and reaches nobody. One per key at a time.
   */
  private void revalidateInBackground(HttpRequest request, RouteMatch route, CacheKey key, HttpHeaders keyHeaders, Lookup l) {
    Optional<CollapsedForwarding.Leader> leader = caching.flights().tryLead(key);
    if (leader.isEmpty()) {
      ReferenceCountUtil.release(request);
      return; // another request revalidates it already
    }
    skipBody = false; // the rest of the request goes on with it
    HttpHeaders client = copy(keyHeaders, request);
    Revalidation.prepareUpstreamRequest(request.headers(), l.stored());
    queue.add(new CacheRequest(CacheRequest.Mode.BACKGROUND, route, key, request.method(), client, l, leader.get(), cache.nowMillis()));
    ctx.fireChannelRead(request);
  }

  /** Called on this channel's loop when the flight this request waited for ended. */
  private void waitOver(CollapsedForwarding.Outcome outcome) {
    Parked p = parked;
    if (p == null) {
      return;
    }
    parked = null;
    if (!ctx.channel().isActive()) {
      releaseHeld();
      return;
    }
    held.poll(); // the parked request's head
    boolean answered = false;
    if (outcome.kind() == CollapsedForwarding.Outcome.Kind.STORED) {
      Lookup l = cache.lookup(p.key(), p.request().method(), p.keyHeaders());
      if (l.kind() == Lookup.Kind.HIT && l.freshness().servable()) {
        answerStored(p.request(), p.route(), p.keyHeaders(), l.stored(), l.freshness().ageSeconds(), "HIT", "collapsed");
        answered = true;
      }
    }
    if (!answered) {
      queue.add(new CacheRequest(CacheRequest.Mode.STORE, p.route(), p.key(), p.request().method(), copy(p.keyHeaders(), p.request()),
          null, null, cache.nowMillis()));
      ctx.fireChannelRead(p.request());
    }
    while (parked == null && !held.isEmpty()) {
      onMessage(held.poll());
    }
    if (parked == null) {
      ctx.fireChannelReadComplete(); // the proxy flushes what it sent on and reads again
      if (readHeld) {
        readHeld = false;
        ctx.read();
      }
    }
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (parked != null) {
      readHeld = true; // nothing more is read while a request waits: its answer comes first
      return;
    }
    ctx.read();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (parked == null) {
      ctx.fireChannelReadComplete();
    } else {
      ctx.flush();
    }
  }

  // ---- answering from the cache ----

  /**
   * Answers a request from a stored response. On HTTP/1.1 a full answer goes out as one buffer in wire
   * form ({@link EncodedResponse}: the stored head, Age, the status header); a 304 and HTTP/2 streams
   * take the message path.
   */
  private void answerStored(HttpRequest request, RouteMatch route, HttpHeaders client, StoredResponse stored, long age,
      String xcache, String result) {
    HttpMethod method = request.method();
    if (http2Stream || ClientConditionals.evaluate(method, client, stored) == ClientConditionals.Result.NOT_MODIFIED) {
      answer(request, route, CachedAnswers.fromStore(method, client, stored, age), xcache, result);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !draining();
    boolean withBody = !HttpMethod.HEAD.equals(method);
    EncodedResponse wire = CachedAnswers.wire(ctx.alloc(), stored, age, route.route().cache().statusHeaderName(), xcache,
        !keepAlive ? "close" : request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? "keep-alive" : null, withBody);
    finishAnswer(request, route, wire, stored.status(), withBody ? stored.bodyLength() : 0, keepAlive, result);
  }

  /** Answers a request here (nothing queued before it), records it like the proxy records its own. */
  private void answer(HttpRequest request, RouteMatch route, FullHttpResponse response, String xcache, String result) {
    String header = route.route().cache().statusHeaderName();
    if (header != null) {
      response.headers().set(header, xcache);
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !draining();
    if (!http2Stream) {
      if (!keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
    }
    finishAnswer(request, route, response, response.status().code(), response.content().readableBytes(), keepAlive, result);
  }

  private void finishAnswer(HttpRequest request, RouteMatch route, Object response, int status, int bodyBytes, boolean keepAlive,
      String result) {
    skipBody = !(request instanceof LastHttpContent);
    long now = ctx.channel().eventLoop().ticker().nanoTime();
    record.begin(now, request.method().name(), request.uri(), http2Stream ? "HTTP/2.0" : request.protocolVersion().text(), clientIp);
    if (px.stats().wantsRequestDetails()) {
      HttpHeaders h = request.headers();
      record.headers(h.get(HttpHeaderNames.HOST), h.get(HttpHeaderNames.USER_AGENT), h.get(ForwardedHeaders.X_REQUEST_ID));
      if (record.requestId() == null) {
        record.requestId(ForwardedHeaders.newRequestId());
      }
    }
    record.route(route.name());
    record.status(status);
    record.addSent(bodyBytes);
    px.stats().requestCompleted(route.name(), status);
    result(route, result);
    ReferenceCountUtil.release(request);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive && !http2Stream) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
    if (record.end(ctx.channel().eventLoop().ticker().nanoTime())) {
      px.stats().requestFinished(record);
    }
  }

  private boolean draining() {
    FrontendHandler proxy = ctx.pipeline().get(FrontendHandler.class);
    return proxy != null && proxy.draining();
  }

  private void result(RouteMatch route, String result) {
    px.stats().cacheResult(route.name(), result);
  }

  // ---- outbound: responses ----

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof io.netty.handler.codec.http.HttpObject) || queue.isEmpty()) {
      ctx.write(msg, promise);
      return;
    }
    Object head = queue.peek();
    if (!(head instanceof CacheRequest e)) {
      ctx.write(msg, promise);
      if (msg instanceof LastHttpContent && !interim(msg)) {
        queue.poll();
        answerQueued();
      }
      return;
    }
    if (msg instanceof HttpResponse response) {
      int code = response.status().code();
      if (code < 200 && code != 101) {
        if (e.mode == CacheRequest.Mode.BACKGROUND) {
          ReferenceCountUtil.release(msg);
          promise.trySuccess();
        } else {
          ctx.write(msg, promise);
        }
        return;
      }
      onResponseHead(e, response);
      if (e.swallow) {
        if (msg instanceof HttpContent c) {
          e.capture(c.content());
        }
        ReferenceCountUtil.release(msg);
        if (msg instanceof LastHttpContent) {
          onResponseEnd(e, promise);
        } else {
          promise.trySuccess();
        }
        return;
      }
      if (msg instanceof HttpContent c) {
        e.capture(c.content());
      }
      if (msg instanceof LastHttpContent) {
        ctx.write(msg, promise);
        onResponseEnd(e, null);
      } else {
        ctx.write(msg, promise);
      }
      return;
    }
    if (msg instanceof HttpContent content && e.started) {
      e.capture(content.content());
      boolean last = content instanceof LastHttpContent;
      if (e.swallow) {
        content.release();
        if (last) {
          onResponseEnd(e, promise);
        } else {
          promise.trySuccess();
        }
        return;
      }
      ctx.write(msg, promise);
      if (last) {
        onResponseEnd(e, null);
      }
      return;
    }
    ctx.write(msg, promise);
  }

  private static boolean interim(Object msg) {
    return msg instanceof HttpResponse r && r.status().code() < 200 && r.status().code() != 101;
  }

  private void onResponseHead(CacheRequest e, HttpResponse response) {
    e.started = true;
    e.status = response.status().code();
    e.connection = response.headers().get(HttpHeaderNames.CONNECTION);
    String header = e.statusHeader();
    switch (e.mode) {
      case PASS -> setIfAbsent(response, header, "BYPASS");
      case INVALIDATE -> {
        if (e.status < 400) {
          cache.storage().invalidate(e.key);
        }
        setIfAbsent(response, header, "BYPASS");
      }
      default -> {
        if ((e.mode == CacheRequest.Mode.REVALIDATE || e.mode == CacheRequest.Mode.BACKGROUND) && e.status == 304) {
          e.swallow = true;
          e.head = new DefaultHttpHeaders().set(response.headers());
          e.responseTimeMillis = cache.nowMillis();
          return;
        }
        if (e.mode == CacheRequest.Mode.REVALIDATE && e.status >= 500 && cache.mayServeStaleOnError(e.stored, e.lookup.request())) {
          e.swallow = true;
          return;
        }
        e.swallow = e.mode == CacheRequest.Mode.BACKGROUND;
        long length = HttpUtil.getContentLength(response, -1L);
        Storability s = cache.storability(e.method, e.requestHeaders, e.status, response.headers(), length);
        long limit = e.route.route().cache().objectLimit();
        if (s.storable() && length <= limit) {
          e.startCapture(response.headers(), cache.nowMillis(), length);
        }
        if (!e.swallow) {
          setIfAbsent(response, header, "MISS");
          result(e.route, "miss");
        }
      }
    }
  }

  private static void setIfAbsent(HttpResponse response, String header, String value) {
    if (header != null && !response.headers().contains(header)) {
      response.headers().set(header, value);
    }
  }

  /** Answers the hits queued at the head of the queue, now that the responses before them are out. */
  private void answerQueued() {
    while (queue.peek() instanceof QueuedAnswer a) {
      queue.poll();
      if (!ctx.channel().isActive()) {
        ReferenceCountUtil.release(a.request());
        continue;
      }
      StoredResponse s = a.stored();
      answerStored(a.request(), a.route(), a.keyHeaders(), s, s.currentAgeSeconds(cache.nowMillis()), a.xcache(),
          "HIT".equals(a.xcache()) ? "hit" : "stale");
    }
  }

  /**
   * The response of {@code e} is complete: stores it, or freshens the entry from a 304, and answers a
   * swallowed one from the entry. {@code promise} is that of the last write of a swallowed response.
   */
  private void onResponseEnd(CacheRequest e, ChannelPromise promise) {
    queue.poll();
    try {
      if (e.swallow && e.status == 304 && e.head != null) {
        Optional<StoredResponse> fresh =
            cache.freshen(e.key, e.stored, e.requestHeaders, e.head, e.requestTimeMillis, e.responseTimeMillis);
        if (e.leader != null) {
          fresh.ifPresentOrElse(e.leader::stored, e.leader::notStored);
        }
        if (e.mode == CacheRequest.Mode.BACKGROUND) {
          promise.trySuccess();
          return;
        }
        StoredResponse s = fresh.orElse(e.stored);
        sendFromStore(e, s, fresh.isPresent() ? "REVALIDATED" : "STALE", fresh.isPresent() ? "revalidated" : "stale", promise);
        return;
      }
      if (e.swallow && e.mode == CacheRequest.Mode.REVALIDATE) { // an error answered from the stale entry
        sendFromStore(e, e.stored, "STALE", "stale", promise);
        return;
      }
      StoreResult stored = null;
      if (e.capturing()) {
        stored = cache.store(e.key, e.method, e.requestHeaders, e.status, e.head, e.capturedBody(), e.requestTimeMillis,
            e.responseTimeMillis);
      }
      if (e.leader != null) {
        if (stored != null && stored.isStored()) {
          e.leader.stored(stored.stored());
        } else {
          e.leader.notStored();
        }
      }
      if (promise != null) {
        promise.trySuccess(); // a background fetch's last write
      }
    } finally {
      if (e.leader != null) {
        e.leader.close(); // a no-op once completed; waiters never hang
      }
      answerQueued();
    }
  }

  private void sendFromStore(CacheRequest e, StoredResponse s, String xcache, String result, ChannelPromise promise) {
    FullHttpResponse r = CachedAnswers.fromStore(e.method, e.requestHeaders, s, s.currentAgeSeconds(cache.nowMillis()));
    String header = e.statusHeader();
    if (header != null) {
      r.headers().set(header, xcache);
    }
    if (e.connection != null && !http2Stream) {
      r.headers().set(HttpHeaderNames.CONNECTION, e.connection); // the proxy's keep-alive decision stands
    }
    result(e.route, result);
    ctx.write(r, promise);
  }

  // ---- keys ----

  private CacheKey key(HttpRequest request, RouteMatch route) {
    return new CacheKey(route.name(), px.scheme(), HostNames.normalize(request.headers().get(HttpHeaderNames.HOST)), request.uri());
  }


  /**
   * The headers the Vary key is made from: the request's own, except that on a route that compresses,
   * Accept-Encoding is replaced by the coding the route would answer with, so that every client that
   * gets the same bytes shares one stored variant.
   */
  private static HttpHeaders keyHeaders(HttpRequest request, RouteMatch route) {
    Compression c = route.compression();
    if (c == null) {
      return request.headers();
    }
    HttpHeaders h = new DefaultHttpHeaders().set(request.headers());
    h.set(HttpHeaderNames.ACCEPT_ENCODING, c.negotiate(request).accepted().token());
    return h;
  }

  /** {@code keyHeaders} if already a copy, else a copy of the request's headers (the proxy changes those). */
  private static HttpHeaders copy(HttpHeaders keyHeaders, HttpRequest request) {
    return keyHeaders != request.headers() ? keyHeaders : new DefaultHttpHeaders().set(request.headers());
  }

  // ---- the end ----

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cleanUp();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cleanUp();
  }

  private void cleanUp() {
    if (parked != null) {
      parked.waiter().cancel();
      parked = null;
    }
    releaseHeld();
    for (Object o : queue) {
      if (o instanceof CacheRequest e && e.leader != null) {
        e.leader.close();
      } else if (o instanceof QueuedAnswer a) {
        ReferenceCountUtil.release(a.request());
      }
    }
    queue.clear();
  }

  private void releaseHeld() {
    Object m;
    while ((m = held.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }
}
