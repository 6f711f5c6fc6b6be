package dev.weir.dataplane.proxy;

import java.net.InetSocketAddress;

/**
 * What one request did, for the meters and the access log: filled in by the {@link FrontendHandler}
 * and its {@link Exchange} on their event loop, handed to {@link RequestStats#requestFinished} once
 * the response is done (or the request was given up), and then reused for the connection's next
 * request: a reader must take what it needs before it returns.
 *
 * <p>One per {@link FrontendHandler}, so per HTTP/1.1 connection or HTTP/2 stream: no allocation per request.
 * The mutators are public for tests; only the proxy calls them.
 */
public final class RequestRecord {

  /** The status of a request that got no response: the client went away first (nginx's 499). */
  public static final int CLIENT_CLOSED = 499;

  private boolean open;
  private long startNanos;
  private long durationNanos;
  private String method;
  private String target;
  private String host;
  private String userAgent;
  private String requestId;
  private String protocol;
  private String client;
  private String route;
  private InetSocketAddress upstream;
  private int status;
  private long bytesReceived;
  private long bytesSent;

  /** Starts a request whose head arrived at {@code startNanos} (the event loop's ticker). */
  public void begin(long startNanos, String method, String target, String protocol, String client) {
    this.open = true;
    this.startNanos = startNanos;
    this.method = method;
    this.target = target;
    this.protocol = protocol;
    this.client = client;
    host = userAgent = requestId = route = null;
    upstream = null;
    status = 0;
    bytesReceived = bytesSent = 0;
    durationNanos = 0;
  }

  /** Ends it: true the first time only (a request is finished once, whichever path gets there first). */
  public boolean end(long nowNanos) {
    if (!open) {
      return false;
    }
    open = false;
    durationNanos = Math.max(0, nowNanos - startNanos);
    return true;
  }

  public boolean isOpen() {
    return open;
  }

  public void headers(String host, String userAgent, String requestId) {
    this.host = host;
    this.userAgent = userAgent;
    this.requestId = requestId;
  }

  public void requestId(String id) {
    this.requestId = id;
  }

  public void route(String name) {
    this.route = name;
  }

  public void upstream(InetSocketAddress endpoint) {
    this.upstream = endpoint;
  }

  public void status(int code) {
    this.status = code;
  }

  public void addReceived(long n) {
    bytesReceived += n;
  }

  public void addSent(long n) {
    bytesSent += n;
  }

  /** From request head received to the response's last write (handed to the connection); 0 while open. */
  public long durationNanos() {
    return durationNanos;
  }

  public String method() {
    return method;
  }

  /** The request target as the client sent it (before an absolute-form target is rewritten). */
  public String target() {
    return target;
  }

  /** The Host header (for HTTP/2, the :authority), or null. */
  public String host() {
    return host;
  }

  public String userAgent() {
    return userAgent;
  }

  /** The X-Request-Id sent upstream (the client's, or one the proxy made); null when not known. */
  public String requestId() {
    return requestId;
  }

  /** {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2.0}. */
  public String protocol() {
    return protocol;
  }

  /** The client's IP address. */
  public String client() {
    return client;
  }

  /** The matched route's name, or null. */
  public String route() {
    return route;
  }

  /** The upstream endpoint the request went to, or null. */
  public InetSocketAddress upstream() {
    return upstream;
  }

  /** The status sent downstream; {@link #CLIENT_CLOSED} when none was (and {@link #responded()} is false). */
  public int status() {
    return status == 0 ? CLIENT_CLOSED : status;
  }

  /** A response head went downstream. */
  public boolean responded() {
    return status != 0;
  }

  /** Request body bytes read from the client. */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** Response body bytes written to the client. */
  public long bytesSent() {
    return bytesSent;
  }
}
