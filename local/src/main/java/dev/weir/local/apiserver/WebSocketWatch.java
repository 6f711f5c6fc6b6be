package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watch over WebSocket, as fabric8 clients (informers included) open them: the mock's watch listener gets this
 * class as its WebSocket, each event goes out as a text frame.
 */
final class WebSocketWatch implements WebSocket {

  private final ApiHttpServer server;
  private final ChannelHandlerContext httpContext;
  private final ChannelHandler httpHandler;
  private final Channel channel;
  private final RecordedRequest request;
  private final MockResponse response;
  private final WebSocketListener listener;
  private final WatchEventFilter filter;
  private final AtomicBoolean closed = new AtomicBoolean();

  WebSocketWatch(ApiHttpServer server, ObjectMapper json, ChannelHandlerContext httpContext,
      ChannelHandler httpHandler, RecordedRequest request, MockResponse response) {
    this.server = server;
    this.httpContext = httpContext;
    this.httpHandler = httpHandler;
    this.channel = httpContext.channel();
    this.request = request;
    this.response = response;
    this.listener = response.getWebSocketListener();
    this.filter = new WatchEventFilter(json, RequestTarget.parse(request.getPath()).param("resourceVersion"));
  }

  /** Completes the upgrade on the event loop (pipeline changes belong there), then opens the mock's listener. */
  void start(FullHttpRequest upgradeRequest) {
    channel.eventLoop().execute(() -> {
      WebSocketServerHandshaker handshaker = ApiHttpServer.handshaker(upgradeRequest);
      if (handshaker == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel);
        upgradeRequest.release();
        return;
      }
      httpContext.pipeline().replace(httpHandler, "watch", new FrameHandler());
      handshaker.handshake(channel, upgradeRequest).addListener((ChannelFutureListener) future -> {
        upgradeRequest.release();
        if (!future.isSuccess()) {
          channel.close();
          return;
        }
        channel.closeFuture().addListener(f -> {
          closed.set(true);
          server.runOnWorker(() -> listener.onClosed(this, 1000, "closed"));
        });
        server.runOnWorker(() -> {
          listener.onBeforeAccept(this, response);
          listener.onOpen(this, response);
          channel.config().setAutoRead(true);
        });
      });
    });
  }

  @Override
  public RecordedRequest request() {
    return request;
  }

  @Override
  public boolean send(String text) {
    if (closed.get() || !channel.isActive()) {
      return false;
    }
    if (filter.shouldSend(text)) {
      channel.writeAndFlush(new TextWebSocketFrame(text));
    }
    return true;
  }

  @Override
  public boolean send(byte[] bytes) {
    return send(new String(bytes, StandardCharsets.UTF_8));
  }

  @Override
  public boolean close(int code, String reason) {
    if (closed.compareAndSet(false, true) && channel.isActive()) {
      int status = WebSocketCloseStatus.isValidStatusCode(code) ? code : 1000;
      channel.writeAndFlush(new CloseWebSocketFrame(status, reason == null ? "" : reason))
          .addListener(ChannelFutureListener.CLOSE);
    }
    return true;
  }

  /** Frames from the client: close and ping matter; a watch client sends nothing else of interest. */
  private final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof CloseWebSocketFrame close) {
        int code = close.statusCode();
        String reason = close.reasonText();
        server.runOnWorker(() -> listener.onClosing(WebSocketWatch.this, code < 0 ? 1000 : code, reason));
      } else if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      } else if (frame instanceof TextWebSocketFrame text) {
        String message = text.text();
        server.runOnWorker(() -> listener.onMessage(WebSocketWatch.this, message));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
