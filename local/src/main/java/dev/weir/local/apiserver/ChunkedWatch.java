package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * A watch streamed as a chunked HTTP response, one JSON watch event per line, as kubectl (client-go) expects. The
 * mock's watch listener talks to a WebSocket; this class is that WebSocket, writing each "message" as a chunk.
 * The stream ends when the client goes away, when the server closes, or after the request's timeoutSeconds (as a
 * real server does, so that clients re-list now and then).
 */
final class ChunkedWatch implements WebSocket {

  private final ApiHttpServer server;
  private final Channel channel;
  private final RecordedRequest request;
  private final MockResponse response;
  private final WebSocketListener listener;
  private final WatchEventFilter filter;
  private final UnaryOperator<String> rewriter;
  private final AtomicBoolean closed = new AtomicBoolean();

  ChunkedWatch(ApiHttpServer server, ObjectMapper json, Channel channel, RecordedRequest request,
      MockResponse response, UnaryOperator<String> rewriter) {
    this.server = server;
    this.rewriter = rewriter;
    this.channel = channel;
    this.request = request;
    this.response = response;
    this.listener = response.getWebSocketListener();
    this.filter = new WatchEventFilter(json, RequestTarget.parse(request.getPath()).param("resourceVersion"));
  }

  void start() {
    channel.writeAndFlush(ApiHttpServer.chunkedHead());
    channel.closeFuture().addListener(f -> {
      closed.set(true);
      server.runOnWorker(() -> listener.onClosed(this, 1000, "watch closed"));
    });
    String timeout = RequestTarget.parse(request.getPath()).param("timeoutSeconds");
    if (timeout != null && timeout.matches("\\d+") && Long.parseLong(timeout) > 0) {
      channel.eventLoop().schedule(() -> close(1000, "timeout"), Long.parseLong(timeout), TimeUnit.SECONDS);
    }
    listener.onOpen(this, response);
    // Reading again is how a closed client connection is noticed.
    channel.config().setAutoRead(true);
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
      channel.writeAndFlush(new DefaultHttpContent(
          Unpooled.copiedBuffer(rewriter.apply(text) + "\n", StandardCharsets.UTF_8)));
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
      channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }
    return true;
  }
}
