package dev.weir.dataplane.proxy;

import dev.weir.dataplane.balance.EndpointPicker;
import dev.weir.dataplane.balance.EndpointState;
import dev.weir.dataplane.balance.RequestHash;
import dev.weir.dataplane.config.RuntimeConfig;
import dev.weir.dataplane.routing.HostNames;
import dev.weir.dataplane.routing.RouteMatch;
import dev.weir.dataplane.tls.ConnectionTls;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.dataplane.pipeline.PipelineNames;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.UpstreamProtocol;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy end of one downstream HTTP/1.1 connection. For each request head it captures the
 * current configuration, routes, and either answers itself (404, 503, 400) or hands the request to
 * an {@link Exchange}. It reads from the client only when it can use what it reads (AUTO_READ is
 * off): between requests, and while an exchange can pass request body on. Requests pipelined behind
 * the current one wait in a queue that is bounded by what one read delivered.
 *
 * <p>A client that does not read its responses must not make the proxy buffer them without limit:
 * the next request is only read, and a queued pipelined one only started, while the client
 * connection is writable (below its write-buffer high water mark). Otherwise it waits for
 * {@link #channelWritabilityChanged}; a client that never reads again is closed by the idle timeout.
 */
public final class FrontendHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

  /** The longest a lingering close reads what a client still sends after its answer. */
  static final long LINGER_MILLIS = 5_000;

  private final ProxyContext px;
  private final Supplier<ChannelHandler> h2cUpgrade;
  /** An upgrade handler was put in front of this handler for a request that asked for h2c. */
  private boolean h2cOffered;
  private final ArrayDeque<Object> pending = new ArrayDeque<>(2);
  /** The current request's record (one request at a time per connection or stream). */
  private final RequestRecord record = new RequestRecord();
  private ChannelHandlerContext ctx;
  /** Request routes, shared with the cache and compression handlers in front of this one. */
  private final RouteMemo routes = new RouteMemo();
  /** A cache / compression handler is in front of this one on this connection or stream. */
  private boolean cacheInstalled;
  private boolean compressionInstalled;
  /** Timeouts of this connection's exchanges. */
  private ExchangeTimer timer;
  private String clientIp = "unknown";
  /** The client's address, for hashing on it; null when not known. */
  private InetAddress clientAddress;
  private Exchange exchange;
  /** Set once an upgrade was accepted: the connection is no longer HTTP, bytes are relayed as they are. */
  private Tunnel tunnel;
  /** Reading the (empty) rest of a request this handler answered itself. */
  private boolean discarding;
  /** The connection is closing: everything read from now on is dropped. */
  private boolean closing;
  /** Closing, but still reading (and dropping) what the client sends: see {@link #closeLingering}. */
  private boolean lingering;
  /** The client half-closed: nothing more will be read. */
  private boolean inputShutdown;
  private boolean draining;
  private boolean counted;
  private boolean http2Stream;
  /** In {@link #resume()}: a writability change fired from inside one of its writes must not re-enter it. */
  private boolean resuming;

  public FrontendHandler(ProxyContext px) {
    this(px, null);
  }

  /**
   * @param h2cUpgrade makes the handler that performs an {@code Upgrade: h2c} (RFC 7540 3.2) on this
   *     connection; null when h2c is off
   */
  public FrontendHandler(ProxyContext px, Supplier<ChannelHandler> h2cUpgrade) {
    this.px = px;
    this.h2cUpgrade = h2cUpgrade;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = new ExchangeTimer(ctx.channel().eventLoop());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    SocketAddress remote = ctx.channel().remoteAddress();
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      clientIp = NetUtil.toAddressString(inet.getAddress());
      clientAddress = inet.getAddress();
    }
    // A stream of an HTTP/2 connection is not a connection; the connection's guard counts that.
    http2Stream = ctx.channel() instanceof Http2StreamChannel;
    cacheInstalled = ctx.pipeline().get(CacheHandler.class) != null;
    if (!http2Stream) {
      counted = true;
      px.stats().connectionOpened();
    }
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    // Removed from a live connection when it switches to HTTP/2.
    if (counted) {
      counted = false;
      px.stats().connectionClosed();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      counted = false;
      px.stats().connectionClosed();
    }
    closing = true;
    if (exchange != null) {
      exchange.onClientClosed();
    }
    timer.stop();
    if (tunnel != null) {
      tunnel.clientClosed();
    }
    releasePending();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (tunnel != null) {
      tunnel.fromClient(msg);
      return;
    }
    if (!closing && exchange == null && (!pending.isEmpty() || (msg instanceof HttpRequest && !ctx.channel().isWritable()))) {
      // The client is not reading what we already answered (a read can deliver many pipelined
      // requests, each answered at once): start no new request until it is writable again.
      pending.add(msg);
      return;
    }
    dispatch(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (tunnel != null) {
      return; // the tunnel flushes each relayed read and reads again when it is written
    }
    if (exchange != null) {
      exchange.flushUpstream();
    }
    maybeRead();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientWritabilityChanged();
    } else if (tunnel == null && ctx.channel().isWritable()) {
      resume(); // the client caught up: go on with queued pipelined requests, or read the next one
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      onInputShutdown();
    } else if (evt == DrainEvent.INSTANCE) {
      draining = true;
      if (tunnel != null) {
        tunnel.close(); // a tunnel has no request boundary to stop at
      } else if (exchange == null && !discarding) {
        closeNow();
      }
    } else if (evt instanceof IdleStateEvent) {
      // The client sent nothing for the idle timeout: an idle keep-alive connection, a client too slow
      // to send a request head, or one that stopped sending its request body: close it (an exchange
      // waiting on such a client is aborted with it). A tunnel is closed only when the upstream was
      // silent for as long: no traffic either way.
      if (tunnel != null) {
        if (tunnel.upstreamSilentNanos() >= px.settings().clientIdleTimeout().toNanos()) {
          tunnel.close();
        }
      } else if (exchange == null || exchange.wantsClientData()) {
        closeNow();
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("downstream connection {} failed: {}", ctx.channel(), cause.toString());
    ctx.close();
  }

  boolean draining() {
    return draining;
  }

  RequestRecord record() {
    return record;
  }

  /** Opens the record of a request whose head just arrived, before anything rewrites it. */
  private void beginRecord(HttpRequest request) {
    String protocol = http2Stream ? "HTTP/2.0" : request.protocolVersion().text();
    record.begin(ctx.channel().eventLoop().ticker().nanoTime(), request.method().name(), request.uri(), protocol, clientIp);
    if (px.stats().wantsRequestDetails()) {
      HttpHeaders headers = request.headers();
      record.headers(headers.get(HttpHeaderNames.HOST), headers.get(HttpHeaderNames.USER_AGENT), headers.get(ForwardedHeaders.X_REQUEST_ID));
    }
  }

  /** Ends the current request's record and hands it to the stats, once; the exchange calls it too. */
  void finishRecord() {
    if (record.end(ctx.channel().eventLoop().ticker().nanoTime())) {
      if (record.requestId() == null && px.stats().wantsRequestDetails()) {
        record.requestId(ForwardedHeaders.newRequestId()); // answered here, nothing went upstream: still one id per log line
      }
      px.stats().requestFinished(record);
    }
  }

  /**
   * The client sent FIN (the listener allows half-closed connections): it will send nothing more but
   * may still read. A complete request (and any queued pipelined ones) is answered and the connection
   * closed after the last answer; a request whose body was cut short cannot be completed.
   */
  private void onInputShutdown() {
    inputShutdown = true;
    if (tunnel != null) {
      tunnel.clientInputShutdown();
    } else if (lingering || closing) {
      ctx.close();
    } else if (exchange != null && !exchange.requestComplete()) {
      exchange.abort("client closed its side mid-request");
    } else if (exchange == null) {
      resume(); // answers what is queued, then closes
    }
  }

  /** Reads from the client if there is a use for what arrives. */
  void maybeRead() {
    if (lingering && ctx.channel().isActive()) {
      ctx.read();
      return;
    }
    if (closing || inputShutdown || tunnel != null || !ctx.channel().isActive()) {
      return;
    }
    // Between requests, read the next one only while the client takes our responses: reading
    // regardless would let a client that pipelines and never reads grow our outbound buffer forever.
    // While a complete request is answered, one read stays armed with nothing queued: a client that
    // waits for its answer sends nothing, and keeping the read armed spares the epoll transport two
    // epoll_ctl calls per request (interest dropped when a read is not renewed, set again later);
    // whatever does arrive (a pipelined request, a FIN) is queued, and then reading stops. Not for
    // an upgrade: bytes after it belong to the new protocol, for the tunnel to read raw.
    if (exchange == null
        ? pending.isEmpty() && ctx.channel().isWritable()
        : exchange.wantsClientData() || (exchange.requestComplete() && pending.isEmpty() && !exchange.upgradeRequested())) {
      ctx.read();
    }
  }

  /** Called by the exchange when it is over (its response fully written, or failed). */
  void exchangeDone(Exchange done, boolean closeClient) {
    if (exchange != done) {
      return;
    }
    exchange = null;
    // An exchange that ended before its (bodiless) request's end marker arrived leaves that marker to skip.
    discarding = !done.requestComplete();
    if (closeClient || !ctx.channel().isActive()) {
      closing = true; // the exchange closes the connection once its last write is out
      releasePending();
      return;
    }
    resume();
  }

  /**
   * Called by the exchange when the upstream accepted an upgrade: its 101 (and the end of that head)
   * is written to the client, not yet flushed. Removes the HTTP codecs from both connections and
   * relays raw bytes between them from now on.
   */
  void startTunnel(Exchange done, Channel upstream) {
    if (exchange != done) {
      upstream.close();
      return;
    }
    exchange = null;
    Channel client = ctx.channel();
    client.flush();
    // Whatever the codec decoded behind the upgrade request was the new protocol's bytes, parsed as
    // HTTP and so lost: the client did not wait for the 101 (RFC 9110 7.8 lets it; WebSocket does not).
    boolean lost = !pending.isEmpty();
    releasePending();
    tunnel = new Tunnel(client, upstream);
    if (lost || closing || !client.isActive() || !upstream.isActive()) {
      log.debug("upgrade from {} cannot be tunnelled: {}", clientIp, lost ? "client sent data before the 101" : "a connection closed");
      closing = true;
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      upstream.close();
      return;
    }
    ChannelPipeline up = upstream.pipeline();
    // Relay first, then codec: bytes the codec still holds (sent right after the 101) go to the relay.
    if (up.get(BackendHandler.class) != null) {
      up.replace(BackendHandler.class, PipelineNames.UPSTREAM_RELAY, tunnel.upstreamHandler());
    } else {
      up.addLast(PipelineNames.UPSTREAM_RELAY, tunnel.upstreamHandler());
    }
    if (up.get(HttpClientCodec.class) != null) {
      up.remove(HttpClientCodec.class);
    }
    // Bytes the server codec still holds arrive at channelRead, which now relays them.
    if (ctx.pipeline().get(PipelineNames.HTTP_CODEC) != null) {
      ctx.pipeline().remove(PipelineNames.HTTP_CODEC);
    }
    tunnel.start();
  }

  /**
   * Dispatches queued pipelined messages, then reads if there is a use for it. A queued request is
   * only started while the client is writable; otherwise it stays queued until
   * {@link #channelWritabilityChanged} calls here again.
   */
  private void resume() {
    if (resuming) {
      return; // the outer call's loop goes on, and it checks writability before each request
    }
    resuming = true;
    try {
      while (!closing && !pending.isEmpty() && (exchange == null || !exchange.requestComplete())) {
        if (exchange == null && pending.peek() instanceof HttpRequest && !ctx.channel().isWritable()) {
          break;
        }
        dispatch(pending.poll());
      }
    } finally {
      resuming = false;
    }
    if (exchange != null) {
      if (inputShutdown && pending.isEmpty() && !exchange.requestComplete()) {
        exchange.abort("client closed its side mid-request"); // a queued request whose body was cut short
        return;
      }
      exchange.flushUpstream();
    } else if (inputShutdown && pending.isEmpty() && !closing) {
      closeAfterPendingWrites(); // every request the client sent is answered
      return;
    }
    maybeRead();
  }

  private void dispatch(Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
    } else if (exchange != null) {
      if (exchange.requestComplete()) {
        pending.add(msg); // the next pipelined request: it waits until this response is done
      } else if (msg instanceof HttpContent content) {
        exchange.onClientContent(content);
      } else {
        ReferenceCountUtil.release(msg);
      }
    } else if (discarding && msg instanceof HttpContent) {
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      if (!discarding && draining) {
        closeAfterPendingWrites();
      }
    } else if (msg instanceof HttpRequest request) {
      try {
        onRequestHead(request);
      } finally {
        ReferenceCountUtil.release(msg); // a no-op for the head objects the codec emits
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onRequestHead(HttpRequest request) {
    if (h2cUpgrade != null && !http2Stream && offerH2cUpgrade(request)) {
      return; // served as stream 1 of the HTTP/2 connection, and recorded there
    }
    beginRecord(request);
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      log.debug("malformed request from {}: {}", clientIp, cause.toString());
      respond(request, null, statusFor(cause), "malformed request", false);
      return;
    }
    if (http2Stream) {
      // The codec's x-http2-stream-id and kin: not the client's, not for the upstream, not to be counted.
      Http2Requests.removeExtensionHeaders(request.headers());
    }
    if (rejectFraming(request)) {
      return;
    }
    if (HttpMethod.CONNECT.equals(request.method())) {
      respond(request, null, HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT is not supported", false);
      return;
    }
    if (!toOriginForm(request)) {
      respond(request, null, HttpResponseStatus.BAD_REQUEST, "invalid request target", false);
      return;
    }
    RuntimeConfig config = px.config().current();
    HttpHeaders headers = request.headers();
    Optional<RouteMatch> match = routes.route(request, config); // the cache handler in front may have looked it up already
    if (match.isEmpty()) {
      respond(request, null, HttpResponseStatus.NOT_FOUND, "no route for this host and path", true);
      return;
    }
    RouteMatch route = match.get();
    // Connections accepted before the snapshot had such routes get their handlers now.
    if (!cacheInstalled && route.route().cache() != null && px.caching() != null) {
      cacheInstalled = CacheHandler.install(ctx, px, routes, request, route, unansweredRequests(request));
    }
    if (!compressionInstalled && route.compression() != null) {
      compressionInstalled = CompressionHandler.install(ctx, px, routes, unansweredRequests(request));
    }
    int redirect = route.route().policy().httpsRedirectStatus();
    if (redirect != 0 && "http".equals(px.scheme()) && !HostNames.normalize(headers.get(HttpHeaderNames.HOST)).isEmpty()) {
      redirectToHttps(request, route.name(), HttpResponseStatus.valueOf(redirect));
      return;
    }
    String clientSubject = null;
    if (route.clientValidation() != null) {
      ConnectionTls tls = "https".equals(px.scheme()) ? ConnectionTls.of(connection()) : null;
      if (tls == null || !route.clientValidation().equals(tls.validation())) {
        // The handshake was made for another host (SNI) than this request's, or over plain HTTP: the
        // client certificate this host demands was never checked. 421 tells a client to retry on a
        // connection of its own for this host (RFC 9110 15.5.20), as browsers do.
        respond(request, route.name(), tls == null && !"https".equals(px.scheme()) ? HttpResponseStatus.FORBIDDEN
            : HttpResponseStatus.MISDIRECTED_REQUEST, "this host requires a client certificate on a TLS connection made for it", true);
        return;
      }
      clientSubject = tls.peerSubject(connection());
    }
    long maxBody = route.route().policy().maxRequestBodyBytes();
    if (maxBody > 0 && HttpUtil.getContentLength(request, -1L) > maxBody) {
      // Refused before anything goes upstream; with Expect: 100-continue the client never sends the body.
      respond(request, route.name(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than " + maxBody + " bytes", false);
      return;
    }
    UpstreamCluster cluster = config.cluster(route.pickCluster());
    ClusterLoad load = cluster == null ? null : px.traffic().cluster(cluster.name());
    ClusterLoad.Binding binding = load == null ? null : load.bind(cluster);
    EndpointPicker picker = binding == null ? null : binding.picker(route);
    LoadBalancer lb = route.route().loadBalancer();
    long hash = EndpointPicker.NO_HASH;
    String setCookie = null;
    if (picker != null && lb.hashing()) {
      hash = RequestHash.of(lb, headers, clientAddress);
      if (hash == EndpointPicker.NO_HASH && lb.hashOn() == LoadBalancer.HashOn.COOKIE) {
        // No affinity cookie yet: make one, pick by it, and give it to the client with the response.
        String value = RequestHash.newCookieValue();
        hash = RequestHash.hash(value);
        setCookie = RequestHash.setCookieHeader(lb, value);
      }
    }
    EndpointState first = picker == null ? null : picker.pick(hash, List.of());
    if (first == null) {
      px.stats().upstreamError(route.name(), UpstreamError.NO_ENDPOINTS);
      respond(request, route.name(), HttpResponseStatus.SERVICE_UNAVAILABLE, "no upstream endpoint available", true);
      return;
    }
    if (!load.tryStartRequest(binding.resilience.requestLimit())) {
      // The cluster's max-requests circuit breaker: refuse at once rather than queue behind it.
      px.stats().circuitBreakerTrip(cluster.name(), "max-requests");
      respond(request, route.name(), HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream cluster overloaded", true, Exchange.OVERLOADED, "max-requests");
      return;
    }
    // From here the exchange owns the request slot and gives it back when it ends.
    Mirror.Target mirror = mirrorTarget(config, route);
    InetSocketAddress endpoint = first.address();
    HttpVersion version = request.protocolVersion();
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    boolean bodiless = isBodiless(request);
    boolean h2Upstream = cluster.protocol() == UpstreamProtocol.H2C;
    // Upgrade and Connection are hop-by-hop; they are forwarded (re-set) for a protocol switch only,
    // which HTTP/2 does not have.
    String upgrade = bodiless && !h2Upstream ? HttpUpgrade.requested(request) : null;
    // TE is hop-by-hop too, but "TE: trailers" must reach an HTTP/2 upstream: gRPC servers insist on it.
    boolean teTrailers = h2Upstream && headers.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
    record.route(route.name());
    record.requestId(ForwardedHeaders.apply(headers, clientIp, px.scheme()));
    if (clientSubject != null) {
      headers.set(ForwardedHeaders.X_CLIENT_CERT_SUBJECT, clientSubject);
    }
    if (px.settings().via()) {
      ForwardedHeaders.appendVia(headers, ForwardedHeaders.viaVersion(version, http2Stream));
    }
    if (teTrailers) {
      headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    if (upgrade != null) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      headers.set(HttpHeaderNames.UPGRADE, upgrade);
    }
    if (!headers.contains(HttpHeaderNames.HOST)) {
      headers.set(HttpHeaderNames.HOST, NetUtil.toSocketAddressString(endpoint));
    }
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    // The exchange takes the head (and, for a full request, its content) from here on.
    exchange = new Exchange(this, timer, ctx.channel(), px, ReferenceCountUtil.retain(request), route, cluster, load, binding, picker, hash, first,
        setCookie, mirror, version, keepAlive, bodiless, upgrade != null);
    exchange.start();
  }

  /** {@code current} and the pipelined requests queued behind it, in order: what a handler installed now must know about. */
  private List<HttpRequest> unansweredRequests(HttpRequest current) {
    List<HttpRequest> all = new java.util.ArrayList<>(1 + pending.size());
    all.add(current);
    for (Object o : pending) {
      if (o instanceof HttpRequest r) {
        all.add(r);
      }
    }
    return all;
  }

  /** The request routes of this connection or stream, for the handlers in front of this one. */
  public RouteMemo routes() {
    return routes;
  }

  /** The route's mirror cluster as this config has it, or null (none, or not in the config). */
  private Mirror.Target mirrorTarget(RuntimeConfig config, RouteMatch route) {
    String name = route.route().mirrorCluster();
    UpstreamCluster cluster = name == null ? null : config.cluster(name);
    if (cluster == null) {
      return null;
    }
    ClusterLoad load = px.traffic().cluster(name);
    ClusterLoad.Binding binding = load.bind(cluster);
    return new Mirror.Target(cluster, load, binding, binding.picker(route));
  }

  /** Answers (and closes) a well-formed request that must not be proxied; see {@link RequestFraming}. */
  private boolean rejectFraming(HttpRequest request) {
    RequestFraming.Rejection rejection = RequestFraming.check(request, px.settings().maxHeaderCount(), !http2Stream);
    if (rejection == null) {
      return false;
    }
    log.debug("refused request from {}: {}", clientIp, rejection.reason());
    respond(request, null, rejection.status(), rejection.reason(), false);
    return true;
  }

  /**
   * A request asking for {@code Upgrade: h2c}: puts the upgrade handler in front of this one and
   * hands it the request head; the rest of the request reaches it through the pipeline. It answers
   * 101 and switches the connection to HTTP/2 (the request becomes stream 1), or, declining (no
   * valid HTTP2-Settings, a malformed request), passes the request on, back to this handler, which
   * then serves it as HTTP/1.1 and takes the upgrade handler out again.
   *
   * @return whether the request went to the upgrade handler
   */
  private boolean offerH2cUpgrade(HttpRequest request) {
    ChannelPipeline p = ctx.pipeline();
    if (h2cOffered) {
      if (p.get(PipelineNames.H2C_UPGRADE) != null) {
        p.remove(PipelineNames.H2C_UPGRADE); // it declined: HTTP/1.1 from here on
      }
      return false;
    }
    if (!pending.isEmpty() || !HttpUpgrade.asksForH2c(request)) {
      return false;
    }
    h2cOffered = true;
    ChannelHandler handler = h2cUpgrade.get();
    p.addBefore(ctx.name(), PipelineNames.H2C_UPGRADE, handler);
    ChannelHandlerContext upgradeCtx = p.context(handler);
    try {
      ((ChannelInboundHandler) handler).channelRead(upgradeCtx, ReferenceCountUtil.retain(request));
    } catch (Exception e) {
      upgradeCtx.fireExceptionCaught(e);
    }
    return true;
  }

  /**
   * Sends a plain-HTTP request to the same host and target over HTTPS (the default port: behind a
   * Service the HTTPS listener is reached on 443 whatever port it listens on). 308 and 307 make the
   * client repeat the method and body; the body is not read.
   */
  private void redirectToHttps(HttpRequest request, String route, HttpResponseStatus status) {
    String location = "https://" + HostNames.normalize(request.headers().get(HttpHeaderNames.HOST)) + request.uri();
    respond(request, route, status, "moved to " + location, true, HttpHeaderNames.LOCATION, location);
  }

  /** The client's connection: this channel, or for an HTTP/2 stream its parent (where TLS and its record live). */
  private Channel connection() {
    Channel ch = ctx.channel();
    return http2Stream && ch.parent() != null ? ch.parent() : ch;
  }

  /** Answers the request without an upstream. Keeps the connection only when no request body is left to skip. */
  private void respond(HttpRequest request, String route, HttpResponseStatus status, String message, boolean mayKeepAlive) {
    respond(request, route, status, message, mayKeepAlive, null, null);
  }

  /** @param header a header for the answer ({@code Location}, {@code x-weir-overloaded}), or null */
  private void respond(HttpRequest request, String route, HttpResponseStatus status, String message, boolean mayKeepAlive, CharSequence header,
      String value) {
    boolean complete = request instanceof LastHttpContent;
    boolean keepAlive = mayKeepAlive && !draining && HttpUtil.isKeepAlive(request) && (complete || isBodiless(request));
    px.stats().requestCompleted(route, status.code());
    FullHttpResponse response = ErrorResponses.text(ctx.alloc(), status, message, keepAlive);
    record.route(route);
    record.status(status.code());
    record.addSent(response.content().readableBytes());
    if (request instanceof HttpContent full) {
      record.addReceived(full.content().readableBytes());
    }
    finishRecord();
    if (header != null) {
      response.headers().set(header, value);
    }
    if (keepAlive && !request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (keepAlive) {
      discarding = !complete;
      ctx.writeAndFlush(response, ctx.voidPromise());
    } else if (complete || isBodiless(request)) {
      closing = true;
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      closeLingering(ctx.writeAndFlush(response));
    }
  }

  /**
   * Rewrites an absolute-form target ({@code GET http://a.example/x?y HTTP/1.1}) to origin-form
   * ({@code /x?y}) with {@code Host: a.example}. RFC 9112 3.2.2: the target's authority takes
   * precedence over the Host header (which the client must send, and may send with another value), so
   * routing, X-Forwarded-Host and the upstream all see that authority; an upstream server gets the
   * origin-form a server expects. Any other target is left as it is.
   *
   * @return false when the target is absolute-form without a host
   */
  static boolean toOriginForm(HttpRequest request) {
    String uri = request.uri();
    int schemeEnd = uri.indexOf("://");
    if (uri.startsWith("/") || schemeEnd <= 0 || !isScheme(uri, schemeEnd)) {
      return true; // origin-form (or asterisk-form, or something the routes simply will not match)
    }
    int authorityStart = schemeEnd + 3;
    int authorityEnd = authorityStart;
    while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
      authorityEnd++;
    }
    String authority = uri.substring(authorityStart, authorityEnd);
    authority = authority.substring(authority.lastIndexOf('@') + 1); // userinfo is not part of the host
    if (authority.isEmpty()) {
      return false;
    }
    String rest = uri.substring(authorityEnd);
    int fragment = rest.indexOf('#');
    if (fragment >= 0) {
      rest = rest.substring(0, fragment); // never sent in a request target
    }
    request.setUri(rest.startsWith("/") ? rest : "/" + rest); // "" or "?q": the path is "/"
    request.headers().set(HttpHeaderNames.HOST, authority);
    return true;
  }

  /** RFC 3986 3.1: {@code ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )} before {@code end}. */
  private static boolean isScheme(String uri, int end) {
    for (int i = 0; i < end; i++) {
      char c = uri.charAt(i);
      boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isBodiless(HttpRequest request) {
    if (HttpUtil.isTransferEncodingChunked(request)) {
      return false;
    }
    String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    return length == null || length.trim().equals("0");
  }

  private static HttpResponseStatus statusFor(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    if (cause instanceof TooLongFrameException) {
      return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  /**
   * Closes the connection once {@code lastWrite} is out, while a request body is still unread: closing
   * at once would make the kernel answer the unread bytes with a reset, which can destroy the response
   * before the client reads it. So, as nginx's lingering close does, the output is shut down (the
   * client sees the end of our response) and what the client still sends is read and dropped until it
   * closes too, or for at most {@link #LINGER_MILLIS}.
   */
  void closeLingering(ChannelFuture lastWrite) {
    closing = true;
    releasePending();
    Channel ch = ctx.channel();
    lastWrite.addListener(
        f -> {
          if (!f.isSuccess() || !(ch instanceof DuplexChannel duplex) || !ch.isActive()) {
            ch.close();
            return;
          }
          lingering = true;
          duplex.shutdownOutput();
          ch.eventLoop().schedule(() -> { ch.close(); }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
          ch.read();
        });
  }

  private void closeAfterPendingWrites() {
    closing = true;
    releasePending();
    // Writes complete in order: once this empty one is out, everything before it is too.
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void closeNow() {
    closing = true;
    releasePending();
    ctx.close();
  }

  private void releasePending() {
    Object msg;
    while ((msg = pending.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
