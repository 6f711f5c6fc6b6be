package dev.weir.dataplane.testing;

import dev.weir.snapshot.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A test upstream on 127.0.0.1 that says who it is and what it got. It streams: request bodies are
 * counted (and CRC'd) chunk by chunk, never aggregated.
 *
 * <p>The answer (200, text/plain, header {@code X-Backend: <name>}) has one {@code key=value} line
 * each for {@code backend}, {@code method}, {@code path} (the request target), {@code body-bytes},
 * {@code body-crc32}, then {@code header <lowercase name>: <value>} per request header. Paths with
 * special behaviour:
 * <ul>
 *   <li>{@code /delay/<ms>}: answers after that many milliseconds</li>
 *   <li>{@code /bytes/<n>}: a chunked body of n bytes, byte i = {@code i % 251}, written with backpressure</li>
 *   <li>{@code /gated/<n>}: like {@code /bytes/<n>}, but stops after the first half until {@link #openGate()}</li>
 *   <li>{@code /hang}: never answers</li>
 *   <li>{@code /close}: closes the connection without answering</li>
 *   <li>{@code /close-after}: answers normally (no {@code Connection: close}) and then closes the connection</li>
 *   <li>{@code /status/<code>}: answers with that status</li>
 *   <li>{@code /cacheable/...}: the usual answer with {@code Cache-Control: public, max-age=600}</li>
 * </ul>
 *
 * <p>Protocol switches: a request with {@code Connection: upgrade} and {@code Upgrade: echo-test}
 * or {@code Upgrade: websocket} (the latter with a {@code Sec-WebSocket-Key}, answered with its
 * {@code Sec-WebSocket-Accept}) gets a 101, after which the connection echoes raw bytes, and closes
 * after echoing a read that ends with {@code QUIT\n}. The 101 carries {@code x-backend} and
 * {@code x-seen-<name>} for the request's upgrade, connection and sec-websocket-* headers. Any other
 * {@code Upgrade} is ignored (an ordinary answer). {@link #upgrades()} counts the switches.
 */
public final class EchoBackend implements AutoCloseable {

  private final String name;
  private final EventLoopGroup group;
  private final Channel server;
  private final AtomicInteger connectionsAccepted = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong bodyBytes = new AtomicLong();
  private final AtomicInteger upgrades = new AtomicInteger();
  private volatile CountDownLatch gate = new CountDownLatch(1);
  private final io.netty.channel.group.ChannelGroup children =
      new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

  /** Null for a plain backend. */
  private final BackendTls tls;
  private final AtomicInteger tlsConnections = new AtomicInteger();

  private EchoBackend(String name, String bindAddress, BackendTls tls) throws InterruptedException {
    this.name = name;
    this.tls = tls;
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("echo-" + name), NioIoHandler.newFactory());
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connectionsAccepted.incrementAndGet();
                    children.add(ch);
                    openConnections.incrementAndGet();
                    ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
                    if (tls != null) {
                      // TLS or plain, whichever the client speaks: one port serves both, so tests can
                      // tell a plain from a TLS connection to the same address.
                      ch.pipeline()
                          .addLast(new OptionalSslHandler(tls.context()))
                          .addLast(tls.recorder(ctx -> tlsConnections.incrementAndGet()));
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpServerExpectContinueHandler())
                        .addLast(new EchoHandler());
                  }
                })
            .bind(bindAddress, 0)
            .sync()
            .channel();
  }

  public static EchoBackend start(String name) {
    return start(name, "127.0.0.1");
  }

  /**
   * On another local address: e2e tests against a real cluster need one, because the API server
   * rejects loopback addresses in EndpointSlices.
   */
  public static EchoBackend start(String name, String bindAddress) {
    return start(name, bindAddress, null);
  }

  /**
   * A backend that speaks TLS with {@code certificate} (HTTP/1.1, ALPN http/1.1) to clients that start a
   * handshake, and plain HTTP to the others, on one port. Its answers carry {@code x-tls: on|off}.
   */
  public static EchoBackend startTls(String name, TestPki.Leaf certificate) {
    return startTls(name, "127.0.0.1", certificate);
  }

  /** As {@link #startTls(String, TestPki.Leaf)}, on another local address (see {@link #start(String, String)}). */
  public static EchoBackend startTls(String name, String bindAddress, TestPki.Leaf certificate) {
    return start(name, bindAddress, new BackendTls(certificate, "http/1.1"));
  }

  private static EchoBackend start(String name, String bindAddress, BackendTls tls) {
    try {
      return new EchoBackend(name, bindAddress, tls);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  /** This backend as a snapshot endpoint. */
  public Endpoint endpoint() {
    return new Endpoint("127.0.0.1", port());
  }

  /** TCP connections accepted since start. */
  public int connectionsAccepted() {
    return connectionsAccepted.get();
  }

  public int openConnections() {
    return openConnections.get();
  }

  /** Connections whose TLS handshake succeeded since start (TLS backends only). */
  public int tlsConnections() {
    return tlsConnections.get();
  }

  /** SNI names the successful handshakes saw, in order ("" for none); TLS backends only. */
  public java.util.List<String> serverNames() {
    return tls == null ? java.util.List.of() : tls.serverNames();
  }

  /** ALPN protocols the successful handshakes agreed on ("" for none); TLS backends only. */
  public java.util.List<String> applicationProtocols() {
    return tls == null ? java.util.List.of() : tls.applicationProtocols();
  }

  /** Request heads received since start. */
  public int requests() {
    return requests.get();
  }

  /** Connections switched to the raw echo protocol since start. */
  public int upgrades() {
    return upgrades.get();
  }

  /** RFC 6455 4.2.2: the Sec-WebSocket-Accept value for a Sec-WebSocket-Key. */
  public static String webSocketAccept(String key) {
    try {
      byte[] sha1 = java.security.MessageDigest.getInstance("SHA-1")
          .digest((key.trim() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      return java.util.Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Request body bytes received so far, updated chunk by chunk. */
  public long bodyBytesReceived() {
    return bodyBytes.get();
  }

  /** Lets the waiting {@code /gated/} responses finish (and re-arms the gate for the next ones). */
  public void openGate() {
    CountDownLatch g = gate;
    gate = new CountDownLatch(1);
    g.countDown();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    children.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** The pattern byte at offset i of {@code /bytes/} bodies. */
  public static byte patternByte(long i) {
    return (byte) (i % 251);
  }

  private final class EchoHandler extends SimpleChannelInboundHandler<HttpObject> {
    private HttpRequest request;
    private long received;
    private final CRC32 crc = new CRC32();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest r) {
        requests.incrementAndGet();
        request = r;
        received = 0;
        crc.reset();
        if (r.uri().equals("/close")) {
          ctx.close();
          return;
        }
      }
      if (msg instanceof HttpContent c && request != null) {
        int n = c.content().readableBytes();
        received += n;
        bodyBytes.addAndGet(n);
        crc.update(c.content().nioBuffer());
        if (c instanceof LastHttpContent) {
          HttpRequest r = request;
          request = null;
          if (switchProtocols(ctx, r)) {
            return;
          }
          answer(ctx, r, received, crc.getValue());
        }
      }
    }

    /** Answers an echo-test or websocket upgrade with 101 and turns the connection into a raw echo; false for any other request. */
    private boolean switchProtocols(ChannelHandlerContext ctx, HttpRequest r) {
      String upgrade = r.headers().get(HttpHeaderNames.UPGRADE);
      if (upgrade == null || !r.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
        return false;
      }
      boolean websocket = upgrade.equalsIgnoreCase("websocket");
      String key = r.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
      if (!upgrade.equalsIgnoreCase("echo-test") && !(websocket && key != null)) {
        return false;
      }
      upgrades.incrementAndGet();
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
      head.headers().set(HttpHeaderNames.UPGRADE, upgrade).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set("x-backend", name);
      if (websocket) {
        head.headers().set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, webSocketAccept(key));
      }
      for (Map.Entry<String, String> h : r.headers()) {
        String n = h.getKey().toLowerCase();
        if (n.equals("upgrade") || n.equals("connection") || n.startsWith("sec-websocket-")) {
          head.headers().add("x-seen-" + n, h.getValue());
        }
      }
      ctx.write(head);
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      io.netty.channel.ChannelPipeline p = ctx.pipeline();
      p.replace(this, "raw-echo", new RawEcho());
      p.remove(HttpServerExpectContinueHandler.class);
      p.remove(HttpServerCodec.class);
      return true;
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest r, long bodyLength, long crc32) {
      String path = r.uri();
      boolean keepAlive = HttpUtil.isKeepAlive(r);
      if (path.startsWith("/hang")) {
        return;
      }
      if (path.startsWith("/delay/")) {
        long ms = Long.parseLong(path.substring("/delay/".length()).split("[?/]")[0]);
        ctx.executor().schedule(() -> writeEcho(ctx, r, bodyLength, crc32, keepAlive, HttpResponseStatus.OK), ms, TimeUnit.MILLISECONDS);
        return;
      }
      if (path.startsWith("/bytes/") || path.startsWith("/gated/")) {
        long n = Long.parseLong(path.substring(7).split("[?/]")[0]);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("x-backend", name).set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.write(head);
        new BodyWriter(ctx, n, path.startsWith("/gated/") ? n / 2 : -1, keepAlive).writeMore();
        return;
      }
      HttpResponseStatus status = HttpResponseStatus.OK;
      if (path.startsWith("/status/")) {
        status = HttpResponseStatus.valueOf(Integer.parseInt(path.substring("/status/".length()).split("[?/]")[0]));
      }
      writeEcho(ctx, r, bodyLength, crc32, keepAlive, status);
      if (path.startsWith("/close-after")) {
        ctx.channel().eventLoop().execute(ctx::close);
      }
    }

    private void writeEcho(ChannelHandlerContext ctx, HttpRequest r, long bodyLength, long crc32, boolean keepAlive, HttpResponseStatus status) {
      StringBuilder b = new StringBuilder();
      b.append("backend=").append(name).append('\n');
      b.append("method=").append(r.method()).append('\n');
      b.append("path=").append(r.uri()).append('\n');
      b.append("body-bytes=").append(bodyLength).append('\n');
      b.append("body-crc32=").append(Long.toHexString(crc32)).append('\n');
      for (Map.Entry<String, String> h : r.headers()) {
        b.append("header ").append(h.getKey().toLowerCase()).append(": ").append(h.getValue()).append('\n');
      }
      ByteBuf body = Unpooled.copiedBuffer(b, StandardCharsets.UTF_8);
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
      if (tls != null) {
        head.headers().set("x-tls", ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null ? "on" : "off");
      }
      head.headers()
          .set("x-backend", name)
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      if (r.uri().startsWith("/cacheable/")) {
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=600");
      }
      if (!keepAlive) {
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      ctx.write(head);
      ChannelFuture f = ctx.writeAndFlush(new DefaultLastHttpContent(body));
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** After a protocol switch: echoes every read; closes after echoing one that ends with {@code QUIT\n}. */
  private static final class RawEcho extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf)) {
        io.netty.util.ReferenceCountUtil.release(msg);
        return;
      }
      boolean quit = buf.toString(StandardCharsets.ISO_8859_1).endsWith("QUIT\n");
      ChannelFuture f = ctx.writeAndFlush(buf);
      if (quit) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Streams a pattern body in 64 KiB chunks, one chunk per completed write (the writes are the backpressure). */
  private final class BodyWriter {
    private final ChannelHandlerContext ctx;
    private final long total;
    private final long pauseAt;
    private final boolean keepAlive;
    /**
     * The gate this response waits at, taken when the response starts: taken only at the pause, it
     * could already be the re-armed one when a fast client had read the first half and opened the
     * gate before this writer got round to pausing (it then waited for a gate nobody opens).
     */
    private final CountDownLatch gate = EchoBackend.this.gate;
    private long written;
    private boolean paused;

    BodyWriter(ChannelHandlerContext ctx, long total, long pauseAt, boolean keepAlive) {
      this.ctx = ctx;
      this.total = total;
      this.pauseAt = pauseAt;
      this.keepAlive = keepAlive;
    }

    void writeMore() {
      if (!ctx.channel().isActive()) {
        return;
      }
      if (pauseAt >= 0 && !paused && written >= pauseAt) {
        paused = true;
        ctx.flush();
        CountDownLatch g = gate;  // this response's gate (see the field)
        Thread waiter = new Thread(() -> {
          try {
            g.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ctx.executor().execute(this::writeMore);
        }, "echo-gate");
        waiter.setDaemon(true);
        waiter.start();
        return;
      }
      if (written >= total) {
        ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
          f.addListener(ChannelFutureListener.CLOSE);
        }
        return;
      }
      long limit = pauseAt >= 0 && !paused ? pauseAt : total;
      int n = (int) Math.min(64 * 1024, limit - written);
      byte[] bytes = new byte[n];
      for (int i = 0; i < n; i++) {
        bytes[i] = patternByte(written + i);
      }
      // One bulk write: at the paranoid leak level every buffer access records a stack trace.
      ByteBuf chunk = ctx.alloc().buffer(n).writeBytes(bytes);
      written += n;
      ctx.writeAndFlush(new DefaultHttpContent(chunk)).addListener(f -> {
        if (f.isSuccess()) {
          writeMore();
        } else {
          ctx.close();
        }
      });
    }
  }
}
