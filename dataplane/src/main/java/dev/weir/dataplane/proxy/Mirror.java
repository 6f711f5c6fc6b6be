package dev.weir.dataplane.proxy;

import dev.weir.dataplane.balance.EndpointPicker;
import dev.weir.dataplane.balance.EndpointState;
import dev.weir.dataplane.balance.Outcome;
import dev.weir.dataplane.routing.RouteMatch;
import dev.weir.dataplane.upstream.UpstreamCluster;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of a request sent to a route's mirror cluster, fire and forget: its response is read and
 * dropped, its failures are only counted ({@link RequestStats#mirrorRequest}), and nothing about it
 * reaches or holds up the primary exchange. It runs on the client's event loop, takes one of the
 * mirror cluster's {@code max-requests} slots (no slot: not sent) and ends within the route's timeout.
 * The copy's Host gets {@code -shadow} appended to the host name, as Envoy does
 * ({@code shop.example:8080} becomes {@code shop.example-shadow:8080}).
 */
final class Mirror implements UpstreamUser {

  private static final Logger log = LoggerFactory.getLogger(Mirror.class);

  /** The mirror cluster of a route, as the current snapshot has it. */
  record Target(UpstreamCluster cluster, ClusterLoad load, ClusterLoad.Binding binding, EndpointPicker picker) {}

  private final ProxyContext px;
  private final EventLoop loop;
  private final Target target;
  private final HttpRequest head;
  private final ArrayDeque<HttpContent> body;
  private final EndpointState endpoint;
  private Channel upstream;
  private BackendHandler backend;
  private ChannelFuture lastWrite;
  private ScheduledFuture<?> timeout;
  private int status;
  private boolean interim;
  private boolean keepAlive;
  private boolean done;

  private Mirror(ProxyContext px, EventLoop loop, Target target, HttpRequest head, ArrayDeque<HttpContent> body, EndpointState endpoint) {
    this.px = px;
    this.loop = loop;
    this.target = target;
    this.head = head;
    this.body = body;
    this.endpoint = endpoint;
  }

  /**
   * Sends a copy of {@code request} with {@code body} (the whole body, which this takes over and
   * releases) to an endpoint of the target cluster. Call on {@code loop}.
   */
  static void send(ProxyContext px, EventLoop loop, Target target, RouteMatch route, HttpRequest request, ArrayDeque<HttpContent> body,
      long hash, long timeoutNanos) {
    String cluster = target.cluster().name();
    if (!target.load().tryStartRequest(target.binding().resilience.requestLimit())) {
      release(body);
      px.stats().mirrorRequest(cluster, "skipped");
      return;
    }
    EndpointState e = target.picker().pick(hash, List.of());
    if (e == null) {
      target.load().requestDone();
      release(body);
      px.stats().mirrorRequest(cluster, "skipped");
      return;
    }
    HttpRequest copy = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), request.headers().copy());
    String host = copy.headers().get(HttpHeaderNames.HOST);
    if (host != null) {
      copy.headers().set(HttpHeaderNames.HOST, shadowHost(host));
    }
    new Mirror(px, loop, target, copy, body, e).start(timeoutNanos, route.route().policy().connectTimeoutMillis());
  }

  /** {@code host-shadow}, the port (if any) kept after it. */
  static String shadowHost(String host) {
    int colon = host.lastIndexOf(':');
    int bracket = host.lastIndexOf(']');
    if (colon > bracket && colon > 0) {
      return host.substring(0, colon) + "-shadow" + host.substring(colon);
    }
    return host + "-shadow";
  }

  private void start(long timeoutNanos, long connectTimeoutMillis) {
    UpstreamCluster c = target.cluster();
    // A copy's connections are the mirror cluster's connections like any other: counted, and limited.
    boolean opens = ClusterLoad.wouldOpen(px.upstreams(), loop, endpoint.address(), c.protocol(), c.tls());
    if (opens && !target.load().tryOpenConnection(target.binding().resilience.connectionLimit(), px.upstreams(), loop)) {
      done = true;
      release(body);
      target.load().requestDone();
      px.stats().circuitBreakerTrip(c.name(), "max-connections");
      px.stats().mirrorRequest(c.name(), "skipped");
      return;
    }
    target.binding().endpoints.started(endpoint);
    timeout = loop.schedule(() -> end(Outcome.TIMEOUT, false, "no response in time"), timeoutNanos, TimeUnit.NANOSECONDS);
    Future<Channel> f = px.upstreams().acquire(loop, endpoint.address(), c.protocol(), c.tls(), connectTimeoutMillis, false);
    target.load().holdConnection(f, opens);
    if (f.isDone()) {
      onConnected(f);
    } else {
      f.addListener(x -> onConnected(f));
    }
  }

  private void onConnected(Future<Channel> f) {
    if (done) {
      if (f.isSuccess()) {
        px.upstreams().release(f.getNow());
      }
      return;
    }
    if (!f.isSuccess()) {
      end(Outcome.CONNECT_FAILURE, false, "connect failed: " + f.cause());
      return;
    }
    upstream = f.getNow();
    backend = BackendHandler.of(upstream);
    if (backend == null) {
      upstream.close();
      upstream = null;
      end(Outcome.CONNECT_FAILURE, false, "connection closed");
      return;
    }
    backend.bind(this);
    // A write or flush to a stale pooled connection can fail at once, and ends this copy inside the
    // call (onUpstreamClosed): then the connection is gone and must not be touched again.
    Channel ch = upstream;
    ch.write(head, ch.voidPromise());
    HttpContent c;
    while (!done && (c = body.poll()) != null) {
      if (c instanceof LastHttpContent) {
        lastWrite = ch.write(c);
      } else {
        ch.write(c, ch.voidPromise());
      }
    }
    if (done) {
      return; // end() released what is left of the body
    }
    ch.flush();
    if (!done) {
      ch.read();
    }
  }

  @Override
  public void onUpstreamMessage(Object msg) {
    try {
      if (done) {
        return;
      }
      if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
        end(Outcome.RESET, false, "invalid response");
        return;
      }
      if (msg instanceof HttpResponse r) {
        int code = r.status().code();
        interim = code >= 100 && code < 200;
        if (!interim) {
          status = code;
          keepAlive = HttpUtil.isKeepAlive(r);
        }
      }
      if (msg instanceof LastHttpContent) {
        if (interim) {
          interim = false;
        } else if (status != 0) {
          end(status >= 500 ? Outcome.HTTP_5XX : Outcome.SUCCESS, true, null);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void onUpstreamReadComplete() {
    if (!done && upstream != null) {
      upstream.read();
    }
  }

  @Override
  public void onUpstreamWritabilityChanged() {}

  @Override
  public void onUpstreamClosed(Throwable cause) {
    end(status == 0 ? Outcome.RESET : Outcome.RESET, false, cause == null ? "closed" : cause.toString());
  }

  /** Ends the copy once: gives back its connection (to the pool when clean), endpoint attempt and slot. */
  private void end(Outcome outcome, boolean complete, String failure) {
    if (done) {
      return;
    }
    done = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    release(body);
    Channel up = upstream;
    if (up != null) {
      upstream = null;
      backend.unbind(this);
      boolean clean = complete && keepAlive && lastWrite != null && lastWrite.isDone() && lastWrite.isSuccess();
      if (clean) {
        px.upstreams().release(up);
      } else {
        up.close();
      }
    }
    target.binding().endpoints.finished(endpoint, outcome);
    target.load().requestDone();
    boolean ok = complete && status < 500;
    if (!ok) {
      log.debug("mirror to {} ({}) failed: {}", endpoint, target.cluster().name(), failure == null ? "status " + status : failure);
    }
    px.stats().mirrorRequest(target.cluster().name(), ok ? "ok" : "failed");
  }

  private static void release(ArrayDeque<HttpContent> body) {
    HttpContent c;
    while ((c = body.poll()) != null) {
      c.release();
    }
  }
}
