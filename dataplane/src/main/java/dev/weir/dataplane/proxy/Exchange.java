package dev.weir.dataplane.proxy;

import dev.weir.dataplane.balance.EndpointPicker;
import dev.weir.dataplane.balance.EndpointState;
import dev.weir.dataplane.balance.Outcome;
import dev.weir.dataplane.routing.RouteMatch;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.dataplane.upstream.UpstreamConnector;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.RetryPolicy;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.UpstreamProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
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
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
 * client connection is closed, since a status cannot be taken back.
 *
 * <p>Attempts and retries. Each attempt goes to an endpoint the route's {@link EndpointPicker} chose
 * and is reported to the cluster's endpoints ({@code started}, then {@code finished} exactly once with
 * its {@link Outcome}). A failed attempt is tried again, on another endpoint, when the route's
 * {@link RetryPolicy} lists the condition ({@code connect-failure}, {@code reset}, {@code timeout}
 * (the per-try timeout, which counts from the later of the attempt's start and the end of the
 * client's request, so that a slow upload is never the endpoint's fault), {@code 5xx},
 * {@code retriable-status}), attempts are left, nothing of the
 * response went to the client yet (not even a 1xx), the method may be resent, the request body was
 * kept (or none of it was sent), the route's request timeout has time left, and the cluster's retry
 * budget has room; after a full-jitter backoff scheduled on the event loop. A 5xx that is retried is
 * dropped (its connection closed); the last one is forwarded. The request body is kept for replay (and
 * for the mirror), large chunks as retained duplicates and small ones copied together, while it fits the policy's {@code bodyLimit()}, and dropped
 * once it does not. A reused pooled connection found closed before any response (the upstream
 * closed it just as it was reused) is retried once per request on a fresh connection to the same
 * endpoint: that is still the same attempt (one started/finished pair) and takes neither an attempt
 * of the policy nor the retry budget.
 *
 * <p>The exchange holds one of the cluster's {@code max-requests} slots (taken by the frontend) and
 * gives it back when it ends, however it ends; a retry holds a retry-budget slot from the first retry
 * to the end of the exchange.
 *
 * <p>A client that stops reading the response is not the upstream's fault, so it does not count
 * against the response timeout; but it may not hold the exchange (and its upstream connection)
 * forever either: once the client connection has stayed unwritable for longer than the client idle
 * timeout, the exchange is aborted.
 */
final class Exchange implements UpstreamUser {

  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  /** On a 503 a circuit breaker answered: which one ({@code max-requests}, {@code max-pending}, {@code max-connections}). */
  static final String OVERLOADED = "x-weir-overloaded";

  private final FrontendHandler frontend;
  /** The frontend's record of this request: bytes, status, upstream; finished when the exchange is. */
  private final RequestRecord record;
  private final Channel client;
  private final ProxyContext px;
  private final HttpRequest request;
  private final RouteMatch route;
  private final UpstreamCluster cluster;
  private final ClusterLoad load;
  private final ClusterLoad.Binding binding;
  private final ClusterResilience resilience;
  private final EndpointPicker picker;
  private final long hash;
  private final RetryPolicy retry;
  /** The method may be sent again (idempotent, or the route allows any) and the head can be written twice. */
  private final boolean mayResend;
  private final long perTryNanos;
  /** A Set-Cookie value for the response (a fresh affinity cookie), or null. */
  private final String setCookie;
  /** Where a copy of the request goes, or null. */
  private final Mirror.Target mirror;
  private boolean mirrored;
  /** The current (or last) attempt's endpoint. */
  private EndpointState endpoint;
  private InetSocketAddress address;
  private final List<EndpointState> tried = new ArrayList<>(2);
  /** Between {@code started} and {@code finished} of the current attempt. */
  private boolean attemptOpen;
  /**
   * When the current attempt's per-try clock started: at the later of the attempt's start and the
   * end of the client's request, so that a client still uploading is never the endpoint's timeout.
   */
  private long attemptStartedAt;
  /** The per-try clock of the current attempt runs (the attempt is open and the whole request is in). */
  private boolean perTryRunning;
  /** What the current attempt's final response head said; null before it. */
  private Outcome headOutcome;
  /** Attempts made, the first included (what the policy's {@code attempts} bounds). */
  private int tries;
  /** Bumped by every connect: the completion of an abandoned one is ignored. */
  private int connectSeq;
  /**
   * The current connect (number {@link #connectSeq}) holds a {@code max-pending} slot. Given back
   * once: when it completes, or when the exchange stops waiting for it (its attempt ended: per-try
   * or request timeout, the client left), whichever comes first.
   */
  private boolean pendingSlot;
  private boolean staleRetried;
  private boolean requestSlot = true;
  private boolean retrySlot;
  private ScheduledFuture<?> backoff;
  /** Some of the response (a 1xx included) was written to the client: no more retries. */
  private boolean clientWritten;
  private final int bodyLimit;
  /** Retained duplicates of all request content so far, for replay and the mirror; null when not kept (or dropped). */
  private ArrayDeque<HttpContent> kept;
  private long keptBytes;
  /**
   * Chunks smaller than this are copied into {@link #keptTail} instead of kept as duplicates: a
   * duplicate pins the whole read buffer it is a slice of, so a client trickling its body a byte per
   * segment would otherwise hold one read buffer per byte while the body is still under the limit.
   */
  static final int COPY_BELOW = 2048;
  private static final int TAIL_CAPACITY = 8192;
  /** The last kept chunk when it is our own copy of small chunks, still taking more; else null. */
  private ByteBuf keptTail;
  /** Some request body bytes were written upstream (on any attempt). */
  private boolean bodyWritten;
  private final UpstreamProtocol protocol;
  private final HttpVersion clientVersion;
  private final boolean clientKeepAlive;
  private final boolean headRequest;
  private final boolean bodiless;
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
      UpstreamCluster cluster,
      ClusterLoad load,
      ClusterLoad.Binding binding,
      EndpointPicker picker,
      long hash,
      EndpointState first,
      String setCookie,
      Mirror.Target mirror,
      HttpVersion clientVersion,
      boolean clientKeepAlive,
      boolean bodiless,
      boolean upgrade) {
    this.upgrade = upgrade;
    this.retry = route.route().retry();
    this.bodyLimit = retry.bodyLimit();
    boolean resendable = (retry.nonIdempotent() || idempotent(request.method())) && !(request instanceof HttpContent && !(request instanceof FullHttpRequest));
    this.mayResend = resendable;
    this.mirror = mirror;
    if (resendable || mirror != null) {
      kept = new ArrayDeque<>(2);
    }
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
      HttpContent last = new DefaultLastHttpContent(full.content().retain(), full.trailingHeaders());
      keep(last);
      early.add(last);
      record.addReceived(full.content().readableBytes());
      full.release();
      request = head;
      requestComplete = true;
    }
    this.request = request;
    this.route = route;
    this.endpoint = first;
    this.address = first.address();
    this.load = load;
    this.binding = binding;
    this.resilience = binding.resilience;
    this.picker = picker;
    this.hash = hash;
    this.setCookie = setCookie;
    this.perTryNanos = TimeUnit.MILLISECONDS.toNanos(retry.perTryTimeoutMillis());
    this.clientVersion = clientVersion;
    this.clientKeepAlive = clientKeepAlive;
    this.headRequest = HttpMethod.HEAD.equals(request.method());
    this.bodiless = bodiless;
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
    if (requestComplete) {
      maybeMirror();
    }
    beginAttempt(endpoint);
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
      startPerTryClock();
    }
    keep(content);
    if (upstream == null) {
      early.add(content);
    } else {
      lastActivity = now();
      writeUpstream(content);
    }
    if (requestComplete) {
      maybeMirror();
    }
  }

  void flushUpstream() {
    if (upstreamDirty && upstream != null) {
      upstreamDirty = false;
      upstream.flush(); // may end the attempt at once (see onConnected): nothing may follow here
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

  @Override
  public void onUpstreamMessage(Object msg) {
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
      clientWritten = true;
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

  @Override
  public void onUpstreamReadComplete() {
    if (finished) {
      return;
    }
    if (clientDirty) {
      clientDirty = false;
      client.flush();
    }
    // The client flush may have failed at once and aborted the exchange (upstream closed and nulled).
    if (!finished && upstream != null && client.isWritable()) {
      upstream.read();
    }
  }

  @Override
  public void onUpstreamWritabilityChanged() {
    if (!finished && upstream != null && upstream.isWritable()) {
      frontend.maybeRead();
    }
  }

  @Override
  public void onUpstreamClosed(Throwable cause) {
    if (finished) {
      return;
    }
    if (headOutcome == null && !clientWritten && reused && !staleRetried && requestComplete && canResend()) {
      // The pooled connection died under us (the upstream closed it as we reused it): the same
      // attempt again on a new connection to the same endpoint; see the class comment.
      log.debug("reused upstream connection to {} failed before a response, retrying: {}", address, cause == null ? "closed" : cause.toString());
      staleRetried = true;
      closeUpstream();
      prepareResend();
      connect(true);
      return;
    }
    String reason = cause == null ? "upstream closed the connection" : "upstream connection failed: " + cause.getMessage();
    attemptFailed(headOutcome == null ? "reset" : null, Outcome.RESET, UpstreamError.RESET, HttpResponseStatus.BAD_GATEWAY, reason);
  }

  // ---- internals ----

  /** Starts an attempt to {@code e}: reports it to the cluster's endpoints and connects. */
  private void beginAttempt(EndpointState e) {
    endpoint = e;
    address = e.address();
    tried.add(e);
    tries++;
    record.upstream(address);
    binding.endpoints.started(e);
    attemptOpen = true;
    headOutcome = null;
    attemptStartedAt = lastActivity = now();
    // A complete request: the clock covers the connect too. Otherwise it starts at the request's end.
    perTryRunning = requestComplete;
    if (perTryNanos > 0 && perTryRunning) {
      scheduleCheck(attemptStartedAt);
    }
    connect(false);
  }

  /**
   * The whole request has arrived (and goes upstream now, or as soon as the connection is made): as
   * Envoy does, the current attempt's per-try timeout counts from here, not from when it began.
   */
  private void startPerTryClock() {
    if (attemptOpen && !perTryRunning) {
      perTryRunning = true;
      attemptStartedAt = now();
      if (perTryNanos > 0) {
        scheduleCheck(attemptStartedAt);
      }
    }
  }

  /**
   * How a timeout of the current attempt counts for its endpoint: a timeout when the endpoint had the
   * whole request (or held back its body: its connection not writable), else cancelled, since the
   * client is the one still sending and that says nothing about the endpoint.
   */
  private Outcome timeoutOutcome() {
    return requestComplete || (upstream != null && !upstream.isWritable()) ? Outcome.TIMEOUT : Outcome.CANCELLED;
  }

  /** Ends the current attempt, once, with {@code outcome}. */
  private void endAttempt(Outcome outcome) {
    releasePending(); // nobody waits for that connection any more
    if (attemptOpen) {
      attemptOpen = false;
      binding.endpoints.finished(endpoint, outcome);
    }
  }

  private void connect(boolean fresh) {
    EventLoop loop = client.eventLoop();
    // The max-connections slot is taken before the connect starts (see ClusterLoad). fresh: a
    // replacement for a pooled connection that turned out dead, not one more connection.
    boolean opens = (fresh && protocol == UpstreamProtocol.HTTP1) || ClusterLoad.wouldOpen(px.upstreams(), loop, address, protocol, cluster.tls());
    if (opens) {
      if (fresh) {
        load.openConnection();
      } else if (!load.tryOpenConnection(resilience.connectionLimit(), px.upstreams(), loop)) {
        overloaded("max-connections");
        return;
      }
    }
    int seq = ++connectSeq;
    Future<Channel> f = px.upstreams().acquire(loop, address, protocol, cluster.tls(), connectTimeoutMillis, fresh);
    load.holdConnection(f, opens);
    if (f.isDone()) {
      onConnected(f, seq);
    } else if (!load.tryStartPending(resilience.pendingLimit())) {
      connectSeq++; // this connect is not ours any more: its connection goes to the pool
      f.addListener(done -> onConnected(f, seq));
      overloaded("max-pending");
    } else {
      pendingSlot = true;
      f.addListener(done -> onConnected(f, seq));
    }
  }

  private void releasePending() {
    if (pendingSlot) {
      pendingSlot = false;
      load.pendingDone();
    }
  }

  private void onConnected(Future<Channel> f, int seq) {
    if (seq == connectSeq) {
      releasePending(); // (an abandoned connect gave its slot back already: pendingSlot is not its any more)
    }
    if (finished || seq != connectSeq || !attemptOpen) {
      if (f.isSuccess()) {
        px.upstreams().release(f.getNow()); // unused and clean
      }
      return;
    }
    if (!f.isSuccess()) {
      Throwable cause = f.cause();
      if (cause instanceof SslHandshakeTimeoutException) {
        log.warn("cluster {}: TLS handshake with {} (server name {}) timed out", cluster.name(), address, cluster.tls().settings().serverName());
        attemptFailed("connect-failure", Outcome.CONNECT_FAILURE, UpstreamError.TLS, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream TLS handshake timed out");
      } else if (cause instanceof SSLException && cluster.tls() != null) {
        // A configuration problem (wrong CA, name, expired certificate), not a blip: say so where operators look.
        log.warn("cluster {}: TLS handshake with {} (server name {}) failed: {}", cluster.name(), address,
            cluster.tls().settings().serverName(), TlsFailures.reason(cause));
        attemptFailed("connect-failure", Outcome.CONNECT_FAILURE, UpstreamError.TLS, HttpResponseStatus.BAD_GATEWAY, "upstream TLS handshake failed");
      } else if (cause instanceof ConnectTimeoutException) {
        log.debug("connect to {} failed: {}", address, cause.toString());
        // 504 as nginx answers it
        attemptFailed("connect-failure", Outcome.CONNECT_FAILURE, UpstreamError.CONNECT_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream connect timed out");
      } else {
        log.debug("connect to {} failed: {}", address, cause.toString());
        attemptFailed("connect-failure", Outcome.CONNECT_FAILURE, UpstreamError.CONNECT_FAILED, HttpResponseStatus.BAD_GATEWAY, "upstream connection failed");
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
      attemptFailed("connect-failure", Outcome.CONNECT_FAILURE, UpstreamError.CONNECT_FAILED, HttpResponseStatus.BAD_GATEWAY, "upstream connection failed");
      return;
    }
    backend.bind(this);
    lastActivity = now();
    requestWritten = true;
    // A write or flush can fail at once (the connection reset as it was reused: EPIPE, ECONNRESET).
    // The failure reaches onUpstreamClosed inside that call, which gives up this connection (a retry,
    // an answer, a new connection for the same attempt): then this one must not be touched again.
    Channel ch = upstream;
    ch.write(request, ch.voidPromise());
    HttpContent content;
    while (upstream == ch && (content = early.poll()) != null) {
      writeUpstream(content);
    }
    if (upstream != ch) {
      return;
    }
    upstreamDirty = false;
    ch.flush();
    if (upstream != ch) {
      return;
    }
    ch.read();
    frontend.maybeRead();
  }

  private void writeUpstream(HttpContent content) {
    if (content.content().isReadable()) {
      bodyWritten = true;
    }
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
    headOutcome = code >= 500 ? Outcome.HTTP_5XX : Outcome.SUCCESS;
    if (code >= 500) {
      String condition = retry.on("retriable-status") && retry.statusCodes().contains(code) ? "retriable-status"
          : retry.on("5xx") ? "5xx" : null;
      if (condition != null && retryAllowed(condition)) {
        log.debug("{} to {}: {} answered, retrying", route.name(), address, code);
        endAttempt(Outcome.HTTP_5XX);
        closeUpstream(); // the rest of this response is not wanted
        scheduleRetry(condition);
        return false;
      }
    }
    responseStarted = true;
    if (mirror == null || mirrored) {
      releaseKept(); // no retry from here on, and no mirror waits for the body
    }
    if (protocol == UpstreamProtocol.H2C) {
      Http2Requests.removeExtensionHeaders(response.headers()); // x-http2-stream-id from the conversion
    }
    if (px.settings().via()) {
      ForwardedHeaders.appendVia(response.headers(), ForwardedHeaders.viaVersion(response.protocolVersion(), protocol == UpstreamProtocol.H2C));
    }
    responseKeepAlive = HttpUtil.isKeepAlive(response);
    boolean keepAlive = clientKeepAlive && (requestComplete || bodiless) && !frontend.draining();
    closeClient = !ResponseHeads.prepare(response, clientVersion, headRequest, keepAlive);
    if (setCookie != null) {
      response.headers().add(HttpHeaderNames.SET_COOKIE, setCookie);
    }
    record.status(code);
    px.stats().requestCompleted(route.name(), code);
    return true;
  }

  private void onResponseComplete() {
    endAttempt(headOutcome);
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
    endAttempt(Outcome.SUCCESS);
    finished = true;
    endExchange();
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
    // Not HTTP the proxy can forward: a broken endpoint, reported as one that reset, never retried.
    attemptFailed(null, Outcome.RESET, kind, HttpResponseStatus.BAD_GATEWAY, reason);
  }

  /**
   * The current attempt failed: ends it, then retries if {@code condition} (null: none) allows, else
   * answers the client ({@code status}, or an abort once the response started).
   */
  private void attemptFailed(String condition, Outcome outcome, UpstreamError kind, HttpResponseStatus status, String reason) {
    endAttempt(outcome);
    closeUpstream();
    if (condition != null && retryAllowed(condition)) {
      log.debug("{} to {}: {}, retrying", route.name(), address, reason);
      scheduleRetry(condition);
      return;
    }
    px.stats().upstreamError(route.name(), kind);
    if (responseStarted) {
      abort(reason);
    } else {
      log.debug("{} to {}: {}", route.name(), address, reason);
      fail(status, status.code() == 502 && kind != UpstreamError.TLS ? "upstream connection failed" : reason);
    }
  }

  /** Whether a failure on {@code condition} may be retried now; takes a retry-budget slot when it is the exchange's first retry. */
  private boolean retryAllowed(String condition) {
    if (finished || clientWritten || switching || responseStarted || !retry.on(condition) || tries >= retry.attempts() || !canResend()
        || !client.isActive()) {
      return false;
    }
    if (requestTimeoutNanos > 0 && now() - startedAt >= requestTimeoutNanos) {
      return false;
    }
    if (!retrySlot) {
      if (!load.tryStartRetry(resilience)) {
        px.stats().retryBudgetExhausted(cluster.name());
        log.debug("{}: retry budget of cluster {} exhausted", route.name(), cluster.name());
        return false;
      }
      retrySlot = true;
    }
    return true;
  }

  /** The request can be sent again: the method allows it and its body was kept, or none of it went out. */
  private boolean canResend() {
    return mayResend && (kept != null || !bodyWritten);
  }

  /** Retry n waits a random time in [0, min(max, base * 2^(n-1))] (full jitter), then picks another endpoint. */
  private void scheduleRetry(String condition) {
    px.stats().upstreamRetry(route.name(), condition);
    prepareResend();
    long cap = Math.min(retry.backoffMax(), retry.backoffBase() << Math.min(tries - 1, 30));
    long delay = ThreadLocalRandom.current().nextLong(cap + 1);
    lastActivity = now();
    backoff = client.eventLoop().schedule(this::retryNow, delay, TimeUnit.MILLISECONDS);
  }

  private void retryNow() {
    backoff = null;
    if (finished) {
      return;
    }
    EndpointState next = picker.pick(hash, tried);
    if (next == null) {
      px.stats().upstreamError(route.name(), UpstreamError.NO_ENDPOINTS);
      fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no upstream endpoint available");
      return;
    }
    beginAttempt(next);
  }

  /** Queues the whole request body again for the next connection (from the kept copies), when some of it went out. */
  private void prepareResend() {
    requestSent = false;
    requestSentFuture = null;
    if (kept == null) {
      return; // nothing was written: what arrived is still queued in early
    }
    HttpContent c;
    while ((c = early.poll()) != null) {
      c.release(); // kept has a copy of each
    }
    for (HttpContent k : kept) {
      early.add(k.retainedDuplicate());
    }
  }

  /**
   * Keeps request content for replay and the mirror, while the body fits the limit: a duplicate of
   * a large chunk, a copy of a small one (appended to the previous copy while it has room), so that
   * what is kept costs about the body's size whatever the chunks were. Copies only grow past what a
   * duplicate taken of them earlier (a replay queued mid-body) can see.
   */
  private void keep(HttpContent content) {
    if (kept == null) {
      return;
    }
    ByteBuf data = content.content();
    int n = data.readableBytes();
    keptBytes += n;
    if (keptBytes > bodyLimit) {
      releaseKept(); // too big to replay: no retry once any of it went out, no mirror
      return;
    }
    if (content instanceof LastHttpContent || n >= COPY_BELOW) {
      keptTail = null;
      kept.add(content.retainedDuplicate());
      return;
    }
    if (n == 0) {
      return;
    }
    if (keptTail == null || keptTail.maxWritableBytes() < n) {
      // Grows as needed (a duplicate taken of it earlier follows, it reads through this buffer).
      keptTail = client.alloc().buffer(Math.max(n, 256), TAIL_CAPACITY);
      kept.add(new DefaultHttpContent(keptTail));
    }
    keptTail.writeBytes(data, data.readerIndex(), n);
  }

  private void releaseKept() {
    ArrayDeque<HttpContent> k = kept;
    keptTail = null;
    if (k != null) {
      kept = null;
      HttpContent c;
      while ((c = k.poll()) != null) {
        c.release();
      }
    }
  }

  /** Once the request is complete: sends the mirror its copy (when the body was kept). */
  private void maybeMirror() {
    if (mirror == null || mirrored) {
      return;
    }
    mirrored = true;
    if (kept == null) {
      px.stats().mirrorRequest(mirror.cluster().name(), "skipped"); // body over the replay limit
      return;
    }
    ArrayDeque<HttpContent> body = new ArrayDeque<>(kept.size());
    for (HttpContent k : kept) {
      body.add(k.retainedDuplicate());
    }
    long timeout = requestTimeoutNanos > 0 ? requestTimeoutNanos : timeoutNanos;
    Mirror.send(px, client.eventLoop(), mirror, route, request, body, hash, timeout);
    if (responseStarted) {
      releaseKept();
    }
  }

  /** A circuit breaker of the cluster is open: 503 with {@code x-weir-overloaded}. */
  private void overloaded(String kind) {
    endAttempt(Outcome.CANCELLED);
    px.stats().circuitBreakerTrip(cluster.name(), kind);
    log.debug("{}: cluster {} overloaded ({})", route.name(), cluster.name(), kind);
    fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream cluster overloaded", kind);
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
    if (perTryNanos > 0 && attemptOpen && perTryRunning && headOutcome == null && now - attemptStartedAt >= perTryNanos
        && (requestTimeoutNanos == 0 || now - startedAt < requestTimeoutNanos)) {
      attemptFailed("timeout", Outcome.TIMEOUT, UpstreamError.RESPONSE_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream did not answer in time");
      if (!finished) {
        scheduleCheck(now);
      }
      return;
    }
    if (requestTimeoutNanos > 0 && now - startedAt >= requestTimeoutNanos) {
      endAttempt(timeoutOutcome());
      px.stats().upstreamError(route.name(), UpstreamError.RESPONSE_TIMEOUT);
      if (responseStarted) {
        abort("response not complete within the route's request timeout");
      } else {
        log.debug("{} to {}: no response within the route's request timeout", route.name(), address);
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream did not answer in time");
      }
      return;
    }
    long idle = now - lastActivity;
    if (idle >= timeoutNanos) {
      endAttempt(timeoutOutcome());
      px.stats().upstreamError(route.name(), UpstreamError.RESPONSE_TIMEOUT);
      if (responseStarted) {
        abort("upstream stalled mid-response");
      } else {
        log.debug("{} to {}: no response within {} ms", route.name(), address, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
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
    if (perTryNanos > 0 && attemptOpen && perTryRunning && headOutcome == null) {
      delay = Math.min(delay, perTryNanos - (now - attemptStartedAt));
    }
    timer.request(this, now, Math.max(0, delay));
  }

  /** Answers the client ourselves; only before the upstream's response head went out. */
  private void fail(HttpResponseStatus status, String message) {
    fail(status, message, null);
  }

  /** @param overloaded the circuit breaker that refused the request (an {@code x-weir-overloaded} header), or null */
  private void fail(HttpResponseStatus status, String message, String overloaded) {
    if (finished) {
      return;
    }
    endAttempt(Outcome.CANCELLED);
    closeUpstream();
    boolean keepAlive = clientKeepAlive && (requestComplete || bodiless) && !clientBroken && !frontend.draining();
    px.stats().requestCompleted(route.name(), status.code());
    FullHttpResponse answer = ErrorResponses.text(client.alloc(), status, message, keepAlive);
    if (overloaded != null) {
      answer.headers().set(OVERLOADED, overloaded);
    }
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
      log.debug("{} to {}: aborted: {}", route.name(), address, reason);
    }
    finished = true;
    endExchange();
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
    endExchange();
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

  /** Gives back everything the exchange holds of the cluster: its attempt, backoff timer, slots and kept body. */
  private void endExchange() {
    endAttempt(headOutcome != null ? headOutcome : Outcome.CANCELLED);
    if (backoff != null) {
      backoff.cancel(false);
      backoff = null;
    }
    if (retrySlot) {
      retrySlot = false;
      load.retryDone();
    }
    if (requestSlot) {
      requestSlot = false;
      load.requestDone();
    }
    releaseKept();
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
