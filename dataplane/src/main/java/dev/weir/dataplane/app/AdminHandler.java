package dev.weir.dataplane.app;

import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.metrics.DataplaneMetrics;
import dev.weir.dataplane.proxy.ResponseCaching;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.SnapshotJson;
import dev.weir.snapshot.TlsCertificate;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The admin endpoints: {@code /healthz} (the process is up), {@code /readyz} (a snapshot is applied
 * and the dataplane is not draining), {@code /metrics} (Prometheus text) and {@code /snapshot} (the
 * applied snapshot as JSON, with certificate names but never key or certificate material), and
 * {@code /drain}: begins the drain (readiness fails, serving goes on) and answers once the shutdown
 * delay is over, which is what a Kubernetes {@code preStop} {@code httpGet} hook waits for before
 * the kubelet sends SIGTERM. Kubelet hooks only GET, so GET is accepted there despite the side
 * effect; the admin port is not exposed by any Service.
 *
 * <p>{@code POST /cache/purge?host=H&path=P} drops what this replica's cache holds for that host and
 * path with query (every route, every variant), {@code POST /cache/purge?route=R} everything route R
 * stored, and {@code &path=P} with {@code route=R} that route's responses for P on any host; the
 * answer is {@code {"removed": n}}. {@code PURGE} works as well as {@code POST}, as with nginx's
 * cache purge module. Purging every replica at once is the ProxyRoute's {@code cache.purge}.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final ConfigHolder config;
  private final DataplaneMetrics metrics;
  private final ShutdownDelay drain;
  private final ResponseCaching caching;

  AdminHandler(ConfigHolder config, DataplaneMetrics metrics, ShutdownDelay drain) {
    this(config, metrics, drain, null);
  }

  /** @param caching the replica's cache, or null when it has none */
  AdminHandler(ConfigHolder config, DataplaneMetrics metrics, ShutdownDelay drain, ResponseCaching caching) {
    this.config = config;
    this.metrics = metrics;
    this.drain = drain;
    this.caching = caching;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (isDrain(request)) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      boolean head = HttpMethod.HEAD.equals(request.method());
      drain.begin().whenComplete((v, e) -> ctx.executor().execute(() -> {
        FullHttpResponse done = text(HttpResponseStatus.OK, "draining: the shutdown delay of " + drain.delay() + " is over\n");
        send(ctx, done, keepAlive, head);
      }));
      return;
    }
    FullHttpResponse response = answer(request);
    boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
    send(ctx, response, keepAlive, HttpMethod.HEAD.equals(request.method()));
  }

  private static boolean isDrain(FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      return false;
    }
    String uri = request.uri();
    boolean path = uri.equals("/drain") || uri.startsWith("/drain?");
    HttpMethod m = request.method();
    return path && (HttpMethod.GET.equals(m) || HttpMethod.POST.equals(m) || HttpMethod.HEAD.equals(m));
  }

  private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, boolean head) {
    HttpUtil.setContentLength(response, response.content().readableBytes());
    if (head) {
      response.content().clear();
    }
    if (keepAlive) {
      ctx.writeAndFlush(response, ctx.voidPromise());
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private FullHttpResponse answer(FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      return text(HttpResponseStatus.BAD_REQUEST, "malformed request\n");
    }
    if (request.uri().equals("/cache/purge") || request.uri().startsWith("/cache/purge?")) {
      return purge(request);
    }
    if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
      return text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n");
    }
    String path = request.uri();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    switch (path) {
      case "/healthz":
        return text(HttpResponseStatus.OK, "ok\n");
      case "/readyz":
        if (drain.begun()) {
          return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining\n");
        }
        return config.isReady()
            ? text(HttpResponseStatus.OK, "ready: snapshot version " + config.appliedVersion() + "\n")
            : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "no snapshot applied yet\n");
      case "/metrics":
        return response(HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape().getBytes(StandardCharsets.UTF_8));
      case "/snapshot":
        return config.appliedSnapshot()
            .map(s -> response(HttpResponseStatus.OK, "application/json", SnapshotJson.writeSnapshot(withoutKeyMaterial(s))))
            .orElseGet(() -> text(HttpResponseStatus.NOT_FOUND, "no snapshot applied yet\n"));
      default:
        return text(HttpResponseStatus.NOT_FOUND, "not found\n");
    }
  }

  private FullHttpResponse purge(FullHttpRequest request) {
    if (!HttpMethod.POST.equals(request.method()) && !"PURGE".equals(request.method().name())) {
      return text(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST (or PURGE) /cache/purge?host=H&path=P, ?route=R or ?route=R&path=P\n");
    }
    if (caching == null) {
      return text(HttpResponseStatus.NOT_FOUND, "this replica has no cache (--cache-size 0)\n");
    }
    QueryStringDecoder q = new QueryStringDecoder(request.uri());
    String host = first(q, "host");
    String route = first(q, "route");
    String path = first(q, "path");
    int removed;
    if (route != null && path == null) {
      removed = caching.cache().storage().purgeRoute(route);
    } else if (route != null) {
      removed = caching.cache().storage().purgeRoute(route, path);
    } else if (host != null && path != null) {
      removed = caching.cache().storage().purge(host, path);
    } else {
      return text(HttpResponseStatus.BAD_REQUEST, "give host and path, route, or route and path\n");
    }
    return response(HttpResponseStatus.OK, "application/json", ("{\"removed\":" + removed + "}\n").getBytes(StandardCharsets.UTF_8));
  }

  private static String first(QueryStringDecoder q, String name) {
    var values = q.parameters().get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
  }

  /** Certificates are listed by name only: private keys (and certificates) never leave the process this way. */
  static Snapshot withoutKeyMaterial(Snapshot s) {
    return new Snapshot(
        s.version(),
        s.hash(),
        s.virtualHosts(),
        s.clusters(),
        s.certificates().stream().map(c -> new TlsCertificate(c.name(), null, null)).toList(),
        s.defaultCertificate());
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    return response(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return r;
  }
}
