package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The HTTP/1.1 transport in front of the mock's dispatcher. fabric8's own MockWebServer (Vert.x) cannot stream a
 * response: it only upgrades watches to WebSocket, which is what fabric8 clients use, while kubectl (client-go)
 * watches over a chunked HTTP response. This server feeds both from the same {@link Dispatcher}: a watch answered
 * with a WebSocket listener is completed as a WebSocket when the client asked for an upgrade
 * ({@link WebSocketWatch}) and as a chunked stream of JSON events otherwise ({@link ChunkedWatch}).
 *
 * <p>Requests are dispatched on worker threads, never on the event loop, because the mock takes locks and its watch
 * listeners block when closing. While a request is being answered the connection reads nothing more, which keeps
 * responses in order without any pipelining bookkeeping.
 */
final class ApiHttpServer implements AutoCloseable {

  private static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

  private final Dispatcher dispatcher;
  private final Function<RecordedRequest, UnaryOperator<String>> watchEventRewriter;
  private final ObjectMapper json;
  private final EventLoopGroup loop;
  private final ExecutorService workers;
  private final ChannelGroup channels = new DefaultChannelGroup("weir-apiserver", GlobalEventExecutor.INSTANCE);
  private final Channel serverChannel;

  private ApiHttpServer(Dispatcher dispatcher, Function<RecordedRequest, UnaryOperator<String>> watchEventRewriter,
      ObjectMapper json, String host, int port) throws InterruptedException {
    this.dispatcher = dispatcher;
    this.watchEventRewriter = watchEventRewriter;
    this.json = json;
    this.loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("weir-apiserver-io", true),
        NioIoHandler.newFactory());
    this.workers = Executors.newCachedThreadPool(new DefaultThreadFactory("weir-apiserver-worker", true));
    try {
      this.serverChannel = new ServerBootstrap()
          .group(loop)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              channels.add(ch);
              ch.pipeline().addLast("http", new HttpServerCodec());
              ch.pipeline().addLast("aggregator", new HttpObjectAggregator(MAX_BODY_BYTES));
              ch.pipeline().addLast("api", new RequestHandler());
            }
          })
          .bind(host, port).sync().channel();
    } catch (InterruptedException | RuntimeException e) {
      loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownNow();
      throw e;
    }
  }

  /**
   * @param watchEventRewriter per chunked watch request, how to rewrite each event before it is written (kubectl's
   *     Table watches); identity for none
   */
  static ApiHttpServer start(Dispatcher dispatcher, Function<RecordedRequest, UnaryOperator<String>> watchEventRewriter,
      ObjectMapper json, String host, int port) throws InterruptedException {
    return new ApiHttpServer(dispatcher, watchEventRewriter, json, host, port);
  }

  int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Runs a task on a worker; during shutdown (workers gone) on a short-lived thread, so watches still get closed. */
  void runOnWorker(Runnable task) {
    try {
      workers.execute(task);
    } catch (RejectedExecutionException e) {
      Thread thread = new Thread(task, "weir-apiserver-closer");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /**
   * Stops accepting, closes every connection (which ends open watches), lets in-flight dispatches finish, and only
   * then stops the event loop: a worker writing to a loop that is gone would log an error.
   */
  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly();
    channels.close().awaitUninterruptibly();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** One per connection: turns each aggregated request into a dispatch on a worker and writes what comes back. */
  private final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        writeAndClose(ctx, HttpResponseStatus.BAD_REQUEST);
        return;
      }
      io.fabric8.mockwebserver.dsl.HttpMethod method;
      try {
        method = io.fabric8.mockwebserver.dsl.HttpMethod.valueOf(request.method().name());
      } catch (IllegalArgumentException e) {
        writeAndClose(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED);
        return;
      }
      Headers.Builder headers = Headers.builder();
      request.headers().forEach(h -> headers.add(h.getKey(), h.getValue()));
      RecordedRequest recorded = new RecordedRequest(request.protocolVersion().text(), method, request.uri(),
          headers.build(), new Buffer(ByteBufUtil.getBytes(request.content())));
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      boolean upgrade = request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
      FullHttpRequest upgradeRequest = upgrade ? request.retainedDuplicate() : null;
      ctx.channel().config().setAutoRead(false);
      runOnWorker(() -> {
        MockResponse response;
        try {
          response = dispatcher.dispatch(recorded);
        } catch (RuntimeException e) {
          response = new MockResponse().setResponseCode(500).setBody(String.valueOf(e));
        }
        if (response.getWebSocketListener() != null && upgradeRequest != null) {
          new WebSocketWatch(ApiHttpServer.this, json, ctx, this, recorded, response).start(upgradeRequest);
          return;
        }
        if (upgradeRequest != null) {
          upgradeRequest.release();
        }
        if (response.getWebSocketListener() != null) {
          new ChunkedWatch(ApiHttpServer.this, json, ctx.channel(), recorded, response,
              watchEventRewriter.apply(recorded)).start();
        } else {
          write(ctx, response, keepAlive);
        }
      });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static void write(ChannelHandlerContext ctx, MockResponse response, boolean keepAlive) {
    byte[] body = response.getBody() == null ? new byte[0] : response.getBody().getBytes();
    FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(response.code()), Unpooled.wrappedBuffer(body));
    for (Map.Entry<String, java.util.List<String>> header : response.getHeaders().toMultimap().entrySet()) {
      if (!header.getKey().equalsIgnoreCase("Content-Length") && !header.getKey().equalsIgnoreCase("Transfer-Encoding")) {
        http.headers().add(header.getKey(), header.getValue());
      }
    }
    HttpUtil.setContentLength(http, body.length);
    HttpUtil.setKeepAlive(http, keepAlive);
    Channel channel = ctx.channel();
    channel.writeAndFlush(http).addListener((ChannelFutureListener) future -> {
      if (!keepAlive || !future.isSuccess()) {
        channel.close();
      } else {
        channel.config().setAutoRead(true);
      }
    });
  }

  private static void writeAndClose(ChannelHandlerContext ctx, HttpResponseStatus status) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
    HttpUtil.setContentLength(response, 0);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** The head of a chunked watch response, shared with ChunkedWatch. */
  static HttpResponse chunkedHead() {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
    return head;
  }

  static WebSocketServerHandshaker handshaker(FullHttpRequest request) {
    String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri();
    // The subprotocols fabric8's MockWebServer accepts; watches use none.
    return new WebSocketServerHandshakerFactory(location,
        "v4.channel.k8s.io,v3.channel.k8s.io,v2.channel.k8s.io,v1.channel.k8s.io", true, MAX_BODY_BYTES)
        .newHandshaker(request);
  }
}
