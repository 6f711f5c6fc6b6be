package dev.weir.dataplane.proxy;

import dev.weir.dataplane.routing.RouteMatch;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.dataplane.upstream.UpstreamConnector;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.UpstreamProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request and its response: acquires an upstream connection on the client's event
 * loop, streams the request body up and the response body down (never aggregated), and reads from
 * one side only while the other side is writable. Everything here runs on that one event loop.
 *
 * <p>Failures before the response head reach the client are answered (502, 504; a failed TLS handshake
 * with the upstream is a 502, one that timed out a 504, and both are logged naming the cluster); after that the
 * client connection is closed, since a status cannot be taken back. A bodiless idempotent request
 * that fails on a reused pooled connection (the upstream closed it just as it was reused) is retried
 * once on a fresh connection.
 *
 * <p>A client that stops reading the response is not the upstream's fault, so it does not count
 * against the response timeout; but it may not hold the exchange (and its upstream connection)
 * forever either: once the client connection has stayed unwritable for longer than the client idle
 * timeout, the exchange is aborted.
 */
final class Exchange {

  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final FrontendHandler frontend;
  /** The frontend's record of this request: bytes, status, upstream; finished when the exchange is. */
  private final RequestRecord record;
  private final Channel client;
  private final ProxyContext px;
  private final HttpRequest request;
  private final RouteMatch route;
  private final InetSocketAddress endpoint;
  private final UpstreamCluster cluster;
  private final UpstreamProtocol protocol;
  private final HttpVersion clientVersion;
  private final boolean clientKeepAlive;
  private final boolean headRequest;
  private final boolean bodiless;
  private final boolean retryable;
  /** The request asks to switch protocols ({@code Connection: upgrade}); a 101 answer then starts a {@link Tunnel}. */
  private final boolean upgrade;
  /** The upstream accepted the upgrade: its 101 went to the client, and the tunnel starts at the end of that head. */
  private boolean switching;
  /** Upstream silence allowed while waiting on it: the route's idle timeout, else the dataplane's response timeout. */
  private final long timeoutNanos;
  /** The route's limit on the whole exchange, from {@link #start()}; 0: none. */
  private final long requestTimeoutNanos;
  private final long connectTimeoutMillis;
  /** The route's request body limit; 0: none. */
  private final long maxBodyBytes;
  private long bodyBytes;
  private long startedAt;
  /** How long the client may leave the response unread (its connection unwritable) before the exchange is aborted. */
  private final long clientStallNanos;

  /** Request body that arrived while the upstream connection was being set up. */
  private final ArrayDeque<HttpContent> early = new ArrayDeque<>(2);

  private Channel upstream;
  private BackendHandler backend;
  private int attempts;
  private boolean reused;
  private boolean requestComplete;
  private boolean requestSent;
  private ChannelFuture requestSentFuture;
  private boolean upstreamDirty;
  private boolean clientDirty;
  private boolean interim;
  private boolean responseStarted;
  private boolean responseKeepAlive;
  private boolean closeClient;
  private boolean clientBroken;
  private boolean finished;
  private final ExchangeTimer timer;
  private long lastActivity;
  /** Since when (event-loop clock) the client connection has been unwritable; meaningful while {@link #clientStalled}. */
  private long clientStalledSince;
  private boolean clientStalled;
  /** The write that ends the response (its last content, or our error response). */
  private ChannelFuture finalWrite;
  private boolean requestWritten;

  /**
   * @param request the head to send upstream, already rewritten (hop-by-hop headers, X-Forwarded-*)
   * @param clientVersion and {@code clientKeepAlive}: how the client spoke, for the response's framing
   * @param bodiless the request has no body, so it can be sent again on another connection
   */
  Exchange(
      FrontendHandler frontend,
      ExchangeTimer timer,
      Channel client,
      ProxyContext px,
      HttpRequest request,
      RouteMatch route,
      InetSocketAddress endpoint,
      UpstreamCluster cluster,
      HttpVersion clientVersion,
      boolean clientKeepAlive,
      boolean bodiless,
      boolean upgrade) {
    this.upgrade = upgrade;
    this.frontend = frontend;
    this.record = frontend.record();
    this.timer = timer;
    this.client = client;
    this.px = px;
    if (request instanceof FullHttpRequest full) {
      // A whole request in one message (an HTTP/2 HEADERS frame that ends the stream, or a request
      // aggregated by the h2c upgrade handler): sent as head plus last content like any other, so
      // that the upstream connection is known to be clean (reusable) once that last content is out,
      // and a bodiless one can be retried.
      HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      early.add(new DefaultLastHttpContent(full.content().retain(), full.trailingHeaders()));
      record.addReceived(full.content().readableBytes());
      full.release();
      request = head;
      requestComplete = true;
    }
    this.request = request;
    this.route = route;
    this.endpoint = endpoint;
    record.upstream(endpoint);
    this.clientVersion = clientVersion;
    this.clientKeepAlive = clientKeepAlive;
    this.headRequest = HttpMethod.HEAD.equals(request.method());
    this.bodiless = bodiless;
    this.retryable = bodiless && idempotent(request.method()) && !(request instanceof HttpContent);
    RoutePolicy policy = route.route().policy();
    this.timeoutNanos = policy.idleTimeoutMillis() > 0 ? TimeUnit.MILLISECONDS.toNanos(policy.idleTimeoutMillis()) : px.settings().responseTimeout().toNanos();
    this.requestTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(policy.requestTimeoutMillis());
    this.connectTimeoutMillis = policy.connectTimeoutMillis();
    this.maxBodyBytes = policy.maxRequestBodyBytes();
    this.cluster = cluster;
    this.protocol = cluster.protocol();
    long stall = px.settings().clientIdleTimeout().toNanos();
    this.clientStallNanos = stall > 0 ? stall : Long.MAX_VALUE; // 0 disables it, as it does the idle handler
  }

  void start() {
    startedAt = lastActivity = now();
    scheduleCheck(startedAt);
    connect(false);
  }

  boolean requestComplete() {
    return requestComplete;
  }

  /** The request asks to switch protocols. */
  boolean upgradeRequested() {
    return upgrade;
  }

  /** True when the client may be read: the request body is still coming and the upstream can take it. */
  boolean wantsClientData() {
    return !finished && !requestComplete && upstream != null && upstream.isWritable();
  }

  // ---- client side (called by FrontendHandler) ----

  void onClientContent(HttpContent content) {
    if (finished) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      if (responseStarted) {
        abort("malformed request body");
      } else {
        clientBroken = true; // the decoder gives up on this connection
        fail(HttpResponseStatus.BAD_REQUEST, "malformed request body");
      }
      return;
    }
    int n = content.content().readableBytes();
    bodyBytes += n;
    record.addReceived(n);
    if (maxBodyBytes > 0 && bodyBytes > maxBodyBytes) {
      // A chunked body (or one longer than its Content-Length said) crossed the route's limit.
      content.release();
      if (responseStarted) {
        abort("request body over the route's limit of " + maxBodyBytes + " bytes");
      } else {
        clientBroken = true; // the rest of the body is not read: the connection cannot carry another request
        fail(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than " + maxBodyBytes + " bytes");
      }
      return;
    }
    if (content instanceof LastHttpContent) {
      requestComplete = true;
    }
    if (upstream == null) {
      early.add(content);
      return;
    }
    lastActivity = now();
    writeUpstream(content);
  }

  void flushUpstream() {
    if (upstreamDirty && upstream != null) {
      upstreamDirty = false;
      upstream.flush();
    }
  }

  void onClientWritabilityChanged() {
    if (finished) {
      return;
    }
    if (client.isWritable()) {
      clientStalled = false;
      if (upstream != null) {
        upstream.read();
      }
    } else if (!clientStalled) {
      // Start the clock on the client; make sure the timer looks again when it runs out (the
      // timer may otherwise be due only at the end of the longer response timeout).
      long now = now();
      clientStalled = true;
      clientStalledSince = now;
      scheduleCheck(now);
    }
  }

  /** The client connection closed or failed: nothing can be delivered any more. */
  void onClientClosed() {
    abort(null);
  }

  // ---- upstream side (called by BackendHandler) ----

  void onUpstreamMessage(Object msg) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    lastActivity = now();
    if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      upstreamFailed(UpstreamError.INVALID_RESPONSE, "invalid response from upstream: " + o.decoderResult().cause());
      return;
    }
    boolean written = false;
    if (msg instanceof HttpResponse response) {
      if (!onResponseHead(response)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpContent content) {
        record.addSent(content.content().readableBytes());
      }
      if (msg instanceof LastHttpContent && !interim) {
        finalWrite = client.write(msg); // a whole response in one message
      } else {
        client.write(msg, client.voidPromise());
      }
      clientDirty = true;
      written = true;
    }
    if (msg instanceof HttpContent content) {
      if (!written) {
        if (!responseStarted && !interim) {
          content.release(); // body without a head: the codec never does this
          return;
        }
        record.addSent(content.content().readableBytes());
        if (content instanceof LastHttpContent && !interim) {
          finalWrite = client.write(content);
        } else {
          client.write(content, client.voidPromise());
        }
        clientDirty = true;
      }
      if (content instanceof LastHttpContent) {
        if (interim) {
          interim = false;
        } else if (switching) {
          startTunnel();
        } else {
          onResponseComplete();
        }
      }
    } else if (!written) {
      ReferenceCountUtil.release(msg);
    }
  }

  void onUpstreamReadComplete() {
    if (finished) {
      return;
    }
    if (clientDirty) {
      clientDirty = false;
      client.flush();
    }
    if (client.isWritable()) {
      upstream.read();
    }
  }

  void onUpstreamWritabilityChanged() {
    if (!finished && upstream != null && upstream.isWritable()) {
      frontend.maybeRead();
    }
  }

  void onUpstreamClosed(Throwable cause) {
    if (finished) {
      return;
    }
    if (!responseStarted && !interim && reused && retryable && requestComplete && attempts == 1) {
      // The pooled connection died under us (the upstream closed it as we reused it); the request
      // had no body, so sending it again on a new connection is safe.
      log.debug("reused upstream connection to {} failed before a response, retrying: {}", endpoint, cause == null ? "closed" : cause.toString());
      closeUpstream();
      requestSent = false;
      requestSentFuture = null;
      early.add(LastHttpContent.EMPTY_LAST_CONTENT);
      connect(true);
      return;
    }
    upstreamFailed(UpstreamError.RESET, cause == null ? "upstream closed the connection" : "upstream connection failed: " + cause.getMessage());
  }

  // ---- internals ----

  private void connect(boolean fresh) {
    attempts++;
    Future<Channel> f = px.upstreams().acquire(client.eventLoop(), endpoint, protocol, cluster.tls(), connectTimeoutMillis, fresh);
    if (f.isDone()) {
      onConnected(f);
    } else {
      f.addListener(done -> onConnected(f));
    }
  }

  private void onConnected(Future<Channel> f) {
    if (finished) {
      if (f.isSuccess()) {
        px.upstreams().release(f.getNow()); // unused and clean
      }
      return;
    }
    if (!f.isSuccess()) {
      Throwable cause = f.cause();
      if (cause instanceof SslHandshakeTimeoutException) {
        log.warn("cluster {}: TLS handshake with {} (server name {}) timed out", cluster.name(), endpoint, cluster.tls().settings().serverName());
        px.stats().upstreamError(route.name(), UpstreamError.TLS);
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream TLS handshake timed out");
      } else if (cause instanceof SSLException && cluster.tls() != null) {
        // A configuration problem (wrong CA, name, expired certificate), not a blip: say so where operators look.
        log.warn("cluster {}: TLS handshake with {} (server name {}) failed: {}", cluster.name(), endpoint,
            cluster.tls().settings().serverName(), TlsFailures.reason(cause));
        px.stats().upstreamError(route.name(), UpstreamError.TLS);
        fail(HttpResponseStatus.BAD_GATEWAY, "upstream TLS handshake failed");
      } else if (cause instanceof ConnectTimeoutException) {
        log.debug("connect to {} failed: {}", endpoint, cause.toString());
        px.stats().upstreamError(route.name(), UpstreamError.CONNECT_TIMEOUT);
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream connect timed out"); // as nginx answers it
      } else {
        log.debug("connect to {} failed: {}", endpoint, cause.toString());
        px.stats().upstreamError(route.name(), UpstreamError.CONNECT_FAILED);
        fail(HttpResponseStatus.BAD_GATEWAY, "upstream connection failed");
      }
      return;
    }
    upstream = f.getNow();
    reused = UpstreamConnector.isReused(upstream);
    if (!reused) {
      // A new connection: the first request on it reports how long it took to set up.
      Channel connection = upstream.parent() != null ? upstream.parent() : upstream;
      Long setup = connection.attr(UpstreamConnector.CONNECT_NANOS).getAndSet(null);
      if (setup != null) {
        px.stats().upstreamConnected(cluster.name(), setup);
      }
    }
    backend = BackendHandler.of(upstream);
    if (backend == null) {
      upstream.close();
      upstream = null;
      px.stats().upstreamError(route.name(), UpstreamError.CONNECT_FAILED);
      fail(HttpResponseStatus.BAD_GATEWAY, "upstream connection failed");
      return;
    }
    backend.bind(this);
    lastActivity = now();
    requestWritten = true;
    upstream.write(request, upstream.voidPromise());
    HttpContent content;
    while ((content = early.poll()) != null) {
      writeUpstream(content);
    }
    upstreamDirty = false;
    upstream.flush();
    upstream.read();
    frontend.maybeRead();
  }

  private void writeUpstream(HttpContent content) {
    if (content instanceof LastHttpContent) {
      requestSent = true;
      Channel ch = upstream;
      requestSentFuture = ch.write(content);
      requestSentFuture.addListener(
          f -> {
            if (!f.isSuccess() && ch == upstream) {
              onUpstreamClosed(f.cause());
            }
          });
    } else {
      upstream.write(content, upstream.voidPromise());
    }
    upstreamDirty = true;
  }

  /** Prepares the response head for the client; false when it must not be forwarded (the exchange then failed). */
  private boolean onResponseHead(HttpResponse response) {
    int code = response.status().code();
    if (responseStarted) {
      abort("upstream sent a second response");
      return false;
    }
    if (code == 101) {
      if (!upgrade || !requestComplete || !bodiless || !HttpUpgrade.acceptable(response)) {
        upstreamFailed(UpstreamError.INVALID_RESPONSE, "upstream switched protocols without a tunnelable upgrade request");
        return false;
      }
      switching = true;
      responseStarted = true;
      HttpUpgrade.prepareSwitchingResponse(response);
      record.status(code);
      px.stats().requestCompleted(route.name(), code);
      return true;
    }
    if (code >= 100 && code < 200) {
      interim = true;
      ResponseHeads.prepare(response, clientVersion, headRequest, true);
      return true;
    }
    responseStarted = true;
    if (protocol == UpstreamProtocol.H2C) {
      Http2Requests.removeExtensionHeaders(response.headers()); // x-http2-stream-id from the conversion
    }
    if (px.settings().via()) {
      ForwardedHeaders.appendVia(response.headers(), ForwardedHeaders.viaVersion(response.protocolVersion(), protocol == UpstreamProtocol.H2C));
    }
    responseKeepAlive = HttpUtil.isKeepAlive(response);
    boolean keepAlive = clientKeepAlive && (requestComplete || bodiless) && !frontend.draining();
    closeClient = !ResponseHeads.prepare(response, clientVersion, headRequest, keepAlive);
    record.status(code);
    px.stats().requestCompleted(route.name(), code);
    return true;
  }

  private void onResponseComplete() {
    Channel up = upstream;
    backend.unbind(this);
    upstream = null;
    if (!requestComplete && !bodiless) {
      closeClient = true; // the rest of the request body will not be read
    }
    if (responseKeepAlive && requestSent) {
      ChannelFuture sent = requestSentFuture;
      // Only a connection whose request went out completely can carry another one.
      if (sent.isDone()) {
        releaseOrClose(up, sent.isSuccess());
      } else {
        sent.addListener(f -> releaseOrClose(up, f.isSuccess()));
      }
    } else {
      up.close();
    }
    finish(closeClient);
  }

  /**
   * The 101 head is written (not yet flushed): hands both connections to a {@link Tunnel}. The
   * upstream connection is never pooled again; it closes with the tunnel.
   */
  private void startTunnel() {
    finished = true;
    cancelTimer();
    releaseEarly();
    Channel up = upstream;
    backend.unbind(this);
    upstream = null;
    clientDirty = false;
    frontend.finishRecord();
    frontend.startTunnel(this, up);
  }

  private void releaseOrClose(Channel up, boolean reusable) {
    if (reusable) {
      px.upstreams().release(up);
    } else {
      up.close();
    }
  }

  private void upstreamFailed(UpstreamError kind, String reason) {
    px.stats().upstreamError(route.name(), kind);
    if (responseStarted) {
      abort(reason);
    } else {
      log.debug("{} to {}: {}", route.name(), endpoint, reason);
      fail(HttpResponseStatus.BAD_GATEWAY, "upstream connection failed");
    }
  }

  /** Called by the connection's {@link ExchangeTimer}. */
  void onTimer() {
    if (finished) {
      return;
    }
    long now = now();
    // The writability events keep clientStalled current; this also covers a client that was
    // already unwritable when the exchange started.
    if (client.isWritable()) {
      clientStalled = false;
    } else if (!clientStalled) {
      clientStalled = true;
      clientStalledSince = now;
    }
    if (clientStalled && now - clientStalledSince >= clientStallNanos) {
      // Closing the client and the upstream (which is not pooled: its response is unfinished).
      abort("client did not read the response for " + px.settings().clientIdleTimeout());
      return;
    }
    boolean waitingOnClient =
        (responseStarted && !client.isWritable()) || (!requestComplete && upstream != null && upstream.isWritable() && !responseStarted);
    if (waitingOnClient) {
      lastActivity = now; // the client is the slow side; that is not the upstream's timeout
    }
    if (requestTimeoutNanos > 0 && now - startedAt >= requestTimeoutNanos) {
      px.stats().upstreamError(route.name(), UpstreamError.RESPONSE_TIMEOUT);
      if (responseStarted) {
        abort("response not complete within the route's request timeout");
      } else {
        log.debug("{} to {}: no response within the route's request timeout", route.name(), endpoint);
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream did not answer in time");
      }
      return;
    }
    long idle = now - lastActivity;
    if (idle >= timeoutNanos) {
      px.stats().upstreamError(route.name(), UpstreamError.RESPONSE_TIMEOUT);
      if (responseStarted) {
        abort("upstream stalled mid-response");
      } else {
        log.debug("{} to {}: no response within {} ms", route.name(), endpoint, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream did not answer in time");
      }
      return;
    }
    scheduleCheck(now);
  }

  /** (Re)arms the timer for the nearest deadline: upstream silence, a client that does not read, the whole exchange. */
  private void scheduleCheck(long now) {
    long delay = timeoutNanos - (now - lastActivity);
    if (clientStalled) {
      delay = Math.min(delay, clientStallNanos - (now - clientStalledSince));
    }
    if (requestTimeoutNanos > 0) {
      delay = Math.min(delay, requestTimeoutNanos - (now - startedAt));
    }
    timer.request(this, now, Math.max(0, delay));
  }

  /** Answers the client ourselves; only before the upstream's response head went out. */
  private void fail(HttpResponseStatus status, String message) {
    if (finished) {
      return;
    }
    closeUpstream();
    boolean keepAlive = clientKeepAlive && (requestComplete || bodiless) && !clientBroken && !frontend.draining();
    px.stats().requestCompleted(route.name(), status.code());
    FullHttpResponse answer = ErrorResponses.text(client.alloc(), status, message, keepAlive);
    record.status(status.code());
    record.addSent(answer.content().readableBytes());
    finalWrite = client.write(answer);
    clientDirty = true;
    finish(!keepAlive);
  }

  /** Ends the exchange by closing both connections: the client gets no (further) response. */
  void abort(String reason) {
    if (finished) {
      return;
    }
    if (reason != null) {
      log.debug("{} to {}: aborted: {}", route.name(), endpoint, reason);
    }
    finished = true;
    cancelTimer();
    releaseEarly();
    closeUpstream();
    client.close();
    frontend.finishRecord();
    frontend.exchangeDone(this, true);
  }

  private void finish(boolean close) {
    // A drain that began after the response head went out still ends the connection, after this response.
    close = close || frontend.draining();
    finished = true;
    cancelTimer();
    releaseEarly();
    if (clientDirty) {
      client.flush();
    }
    if (close) {
      if (finalWrite == null) {
        client.close();
      } else if (!requestComplete && !bodiless && !responseStarted) {
        frontend.closeLingering(finalWrite); // our error answer, with request body still unread
      } else {
        finalWrite.addListener(ChannelFutureListener.CLOSE);
      }
    }
    clientDirty = false;
    frontend.finishRecord();
    frontend.exchangeDone(this, close);
  }

  private void closeUpstream() {
    Channel up = upstream;
    if (up != null) {
      upstream = null;
      backend.unbind(this);
      up.close();
    }
  }

  private void releaseEarly() {
    if (!requestWritten) {
      requestWritten = true;
      ReferenceCountUtil.release(request); // a no-op unless the head carried content
    }
    HttpContent c;
    while ((c = early.poll()) != null) {
      c.release();
    }
  }

  /** RFC 9110 9.2.2: only these may be sent again automatically. */
  private static boolean idempotent(HttpMethod m) {
    return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)
        || m.equals(HttpMethod.TRACE) || m.equals(HttpMethod.PUT) || m.equals(HttpMethod.DELETE);
  }

  /** The event loop's clock (virtual in EmbeddedChannel tests). */
  private long now() {
    return client.eventLoop().ticker().nanoTime();
  }

  private void cancelTimer() {
    timer.release(this);
  }
}
