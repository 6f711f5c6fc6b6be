package dev.weir.dataplane.app;

import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.metrics.DataplaneMetrics;
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
import java.nio.charset.StandardCharsets;

/**
 * The admin endpoints: {@code /healthz} (the process is up), {@code /readyz} (a snapshot is applied
 * and the dataplane is not draining), {@code /metrics} (Prometheus text) and {@code /snapshot} (the
 * applied snapshot as JSON, with certificate names but never key or certificate material), and
 * {@code /drain}: begins the drain (readiness fails, serving goes on) and answers once the shutdown
 * delay is over, which is what a Kubernetes {@code preStop} {@code httpGet} hook waits for before
 * the kubelet sends SIGTERM. Kubelet hooks only GET, so GET is accepted there despite the side
 * effect; the admin port is not exposed by any Service.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final ConfigHolder config;
  private final DataplaneMetrics metrics;
  private final ShutdownDelay drain;

  AdminHandler(ConfigHolder config, DataplaneMetrics metrics, ShutdownDelay drain) {
    this.config = config;
    this.metrics = metrics;
    this.drain = drain;
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
