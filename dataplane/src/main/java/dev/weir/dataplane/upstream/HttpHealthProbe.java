package dev.weir.dataplane.upstream;

import dev.weir.dataplane.balance.HealthChecker;
import dev.weir.snapshot.ClusterResilience.HealthCheck;
import dev.weir.snapshot.UpstreamProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A health check spoken as the proxy speaks to the cluster: {@code GET path} on a new connection,
 * closed after the check; passes on a 2xx or 3xx status within the check's timeout (connect, TLS
 * handshake and answer together). Only the response head is read.
 *
 * <p>HTTP/1.1 clusters get {@code Host} (the check's host, else the endpoint's address),
 * {@code User-Agent: weir-health-check}, <code>Accept: *&#47;*</code> and {@code Connection: close}.
 * H2C clusters get the same request as HTTP/2 with prior knowledge ({@code :authority} for the host):
 * an h2c-only server, e.g. a gRPC one, would refuse HTTP/1.1 and so fail a check it should pass.
 *
 * <p>A cluster with upstream TLS is checked over TLS with its {@link UpstreamTlsContext}, the very
 * context the proxy uses for it (server name as SNI, certificate verified against its CA bundle and
 * for that name, ALPN {@code h2} or {@code http/1.1}); a failed handshake, a certificate that does not
 * verify, or another ALPN protocol than h2 for an H2C cluster, fails the check.
 */
public final class HttpHealthProbe implements HealthChecker.Probe {

  /**
   * Limits of the HTTP/1.1 response head: a status line longer than this is no answer, and headers are
   * bounded as generously as a proxy's, only to bound what a check may buffer (it reads nothing else).
   */
  private static final int MAX_STATUS_LINE = 4 * 1024;
  private static final int MAX_HEADERS = 64 * 1024;

  private final UpstreamProtocol protocol;
  private final UpstreamTlsContext tls;

  /** @param tls the cluster's TLS context, null for plain TCP */
  public HttpHealthProbe(UpstreamProtocol protocol, UpstreamTlsContext tls) {
    this.protocol = protocol == null ? UpstreamProtocol.HTTP1 : protocol;
    this.tls = tls;
  }

  @Override
  public Future<Void> check(EventLoop loop, Bootstrap template, InetSocketAddress address, HealthCheck check) {
    Promise<Void> result = loop.newPromise();
    if (loop.inEventLoop()) {
      start(loop, template, address, check, result);
    } else {
      // Everything below on the loop: the timer must not fire before the close is attached to the result.
      loop.execute(() -> start(loop, template, address, check, result));
    }
    return result;
  }

  private void start(EventLoop loop, Bootstrap template, InetSocketAddress address, HealthCheck check, Promise<Void> result) {
    long timeout = check.timeout();
    String authority = check.host() != null ? check.host() : hostHeader(address);
    boolean h2 = protocol == UpstreamProtocol.H2C;
    Bootstrap b =
        template
            .clone(loop)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc(), timeout));
                    }
                    if (h2) {
                      ch.pipeline()
                          .addLast(Http2FrameCodecBuilder.forClient().initialSettings(Http2Settings.defaultSettings().pushEnabled(false)).build())
                          .addLast(new Http2MultiplexHandler(Discard.INSTANCE))
                          .addLast(new ConnectionFrames(result));
                    } else {
                      HttpDecoderConfig decoder =
                          new HttpDecoderConfig().setMaxInitialLineLength(MAX_STATUS_LINE).setMaxHeaderSize(MAX_HEADERS);
                      ch.pipeline().addLast(new HttpClientCodec(decoder, false, false)).addLast(new Http1Answer(result));
                    }
                  }
                });
    // The timer first: should the loop refuse it (shutting down), no connection has been opened yet.
    ScheduledFuture<?> timer =
        loop.schedule(() -> result.tryFailure(new CheckFailed("no answer within " + timeout + " ms")), timeout, TimeUnit.MILLISECONDS);
    ChannelFuture connect = b.connect(address);
    Channel ch = connect.channel();
    result.addListener(f -> {
      timer.cancel(false);
      ch.close();
    });
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            result.tryFailure(f.cause());
            return;
          }
          Promise<Channel> ready = loop.newPromise();
          TlsHandshakes.whenDone(ch, ready); // the proxy's rule: nothing is sent before the handshake succeeded
          ready.addListener(r -> {
            if (!r.isSuccess()) {
              result.tryFailure(r.cause());
            } else if (h2) {
              askOverHttp2(ch, authority, check.path(), result);
            } else {
              ch.writeAndFlush(http1Request(authority, check.path()))
                  .addListener(w -> {
                    if (!w.isSuccess()) {
                      result.tryFailure(w.cause());
                    }
                  });
            }
          });
        });
  }

  private void askOverHttp2(Channel ch, String authority, String path, Promise<Void> result) {
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl != null && ssl.applicationProtocol() != null && !ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
      result.tryFailure(new CheckFailed("backend chose ALPN protocol " + ssl.applicationProtocol() + ", not h2"));
      return;
    }
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method(HttpMethod.GET.asciiName())
            .scheme(tls != null ? "https" : "http")
            .authority(authority)
            .path(path)
            .set(HttpHeaderNames.USER_AGENT, "weir-health-check")
            .set(HttpHeaderNames.ACCEPT, "*/*");
    new Http2StreamChannelBootstrap(ch)
        .handler(new Http2Answer(result))
        .open()
        .addListener(
            (Future<Http2StreamChannel> f) -> {
              if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
              }
              f.getNow()
                  .writeAndFlush(new DefaultHttp2HeadersFrame(headers, true))
                  .addListener(w -> {
                    if (!w.isSuccess()) {
                      result.tryFailure(w.cause());
                    }
                  });
            });
  }

  private static FullHttpRequest http1Request(String host, String path) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
    // Names spelled as the blocking probe before this one sent them, byte for byte: some health
    // endpoints behind old servers are pickier than the RFC.
    request.headers().set("Host", host).set("User-Agent", "weir-health-check").set("Accept", "*/*").set("Connection", "close");
    return request;
  }

  /** The Host of a check without one: the endpoint's address, IPv6 bracketed (compressed, no scope). */
  static String hostHeader(InetSocketAddress a) {
    String ip = NetUtil.toAddressString(a.getAddress());
    return (a.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + a.getPort();
  }

  /** Completes {@code result} from a status: 2xx and 3xx pass. */
  static void judge(int status, Promise<Void> result) {
    if (status >= 200 && status < 400) {
      result.trySuccess(null);
    } else {
      result.tryFailure(new CheckFailed("status " + status));
    }
  }

  /**
   * Judges the first final response head of a check's connection or stream; releases whatever it
   * reads. A close or an error before that fails the check.
   */
  private abstract static class Answer extends ChannelInboundHandlerAdapter {
    final Promise<Void> result;
    private final String closedBeforeAnswer;

    Answer(Promise<Void> result, String closedBeforeAnswer) {
      this.result = result;
      this.closedBeforeAnswer = closedBeforeAnswer;
    }

    /** Looks at one message (released afterwards). */
    abstract void read(Object msg);

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        read(msg);
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) {
      result.tryFailure(new CheckFailed(closedBeforeAnswer));
    }

    @Override
    public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.tryFailure(cause);
    }
  }

  private static final class Http1Answer extends Answer {
    Http1Answer(Promise<Void> result) {
      super(result, "connection closed before an answer");
    }

    @Override
    void read(Object msg) {
      if (msg instanceof HttpResponse r) {
        if (r.decoderResult().isFailure()) {
          result.tryFailure(new CheckFailed("not an HTTP/1.1 answer: " + r.decoderResult().cause()));
        } else if (r.status().code() >= 200 || r.status().code() == 101) {
          judge(r.status().code(), result); // informational 1xx heads come before the real one
        }
      }
    }
  }

  /** The check's stream: every frame is released. */
  private static final class Http2Answer extends Answer {
    Http2Answer(Promise<Void> result) {
      super(result, "stream closed before an answer");
    }

    @Override
    void read(Object msg) {
      if (msg instanceof Http2HeadersFrame h) {
        CharSequence status = h.headers().status();
        int code = status == null ? -1 : parseStatus(status);
        if (code < 0) {
          result.tryFailure(new CheckFailed("answer without a valid :status"));
        } else if (code >= 200) {
          judge(code, result);
        }
      } else if (msg instanceof Http2ResetFrame reset) {
        result.tryFailure(new CheckFailed("stream reset (" + reset.errorCode() + ")"));
      }
    }

    private static int parseStatus(CharSequence s) {
      if (s.length() != 3) {
        return -1;
      }
      int code = 0;
      for (int i = 0; i < 3; i++) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          return -1;
        }
        code = code * 10 + (c - '0');
      }
      return code;
    }
  }

  /** The connection's own frames (SETTINGS, PING, GOAWAY), which the codec already acted on; and its failures. */
  private static final class ConnectionFrames extends ChannelInboundHandlerAdapter {
    private final Promise<Void> result;

    ConnectionFrames(Promise<Void> result) {
      this.result = result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.tryFailure(new CheckFailed("connection closed before an answer"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.tryFailure(cause);
    }
  }

  /** Streams the server opens (pushes, though they are disabled): dropped. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class Discard extends ChannelInboundHandlerAdapter {
    static final Discard INSTANCE = new Discard();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  /** Why a check failed that is no I/O error of its own; no stack trace, it is expected. */
  static final class CheckFailed extends Exception {
    CheckFailed(String message) {
      super(message, null, false, false);
    }
  }
}
