package dev.weir.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.RoutePolicy;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FrontendHandlerTest {

  private final FakeUpstreams upstreams = new FakeUpstreams();
  private final ConfigHolder config = new ConfigHolder();
  private final List<String> completed = new ArrayList<>();
  private final RequestStats stats =
      new RequestStats() {
        @Override
        public void requestCompleted(String route, int status) {
          completed.add(route + " " + status);
        }
      };
  private EmbeddedChannel client;

  @BeforeEach
  void setUp() {
    config.apply(
        new SnapshotBuilder(1)
            .cluster("c", new Endpoint("10.0.0.1", 80))
            .cluster("none")
            .host("a.test").prefix("r", "/", "c")
            .host("empty.test").prefix("r-empty", "/", "none")
            .host("policy.test").prefix("r-policy", "/", "c", new RoutePolicy(3_000, 250, 500, 10))
            .host("secure.test").prefix("r-secure", "/", "c", RoutePolicy.DEFAULT.withHttpsRedirect(308))
            .build());
    ProxyContext px = new ProxyContext(config, upstreams, stats, ProxySettings.defaults().withResponseTimeout(Duration.ofSeconds(2)), "http");
    client =
        new EmbeddedChannel(new FrontendHandler(px)) {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("192.0.2.7", 50000);
          }
        };
  }

  @AfterEach
  void tearDown() {
    assertFalse(client.finishAndReleaseAll(), "unread messages left on the client channel");
    assertFalse(upstreams.finishAll(), "unread messages left on an upstream channel");
  }

  static HttpRequest get(String uri, String host) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    if (host != null) {
      r.headers().set("Host", host);
    }
    return r;
  }

  private void send(HttpRequest head) {
    client.writeInbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
  }

  private static void respond(EmbeddedChannel up, String body) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpUtil.setContentLength(r, body.length());
    up.writeInbound(r, new DefaultLastHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
  }

  /** Reads a response head and its body (releasing the body) from the client channel. */
  /** A response the proxy wrote to the client: its head and its whole body (all buffers released). */
  private record Answer(HttpResponse head, String body) {}

  private Answer readResponse() {
    HttpResponse head = client.readOutbound();
    StringBuilder body = new StringBuilder();
    if (head instanceof FullHttpResponse full) {
      body.append(full.content().toString(StandardCharsets.UTF_8));
      full.release();
      return new Answer(head, body.toString());
    }
    Object msg;
    while ((msg = client.readOutbound()) != null) {
      HttpContent c = (HttpContent) msg;
      body.append(c.content().toString(StandardCharsets.UTF_8));
      c.release();
      if (c instanceof LastHttpContent) {
        break;
      }
    }
    return new Answer(head, body.toString());
  }

  private static void drainRequest(EmbeddedChannel up) {
    Object msg;
    while ((msg = up.readOutbound()) != null) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  @Test
  void noRouteIs404AndKeepsTheConnection() {
    send(get("/", "unknown.test"));
    Answer answer = readResponse();
    String body = answer.body();
    assertEquals(404, answer.head().status().code());
    assertEquals("404 Not Found: no route for this host and path\n", body);
    assertNull(answer.head().headers().get("Connection"));
    assertTrue(client.isOpen());
    assertEquals(List.of("null 404"), completed);
    assertTrue(upstreams.acquired.isEmpty());
  }

  @Test
  void noRouteWithABodyClosesTheConnection() {
    HttpRequest post = get("/", "unknown.test");
    post.setMethod(HttpMethod.POST);
    HttpUtil.setContentLength(post, 3);
    client.writeInbound(post, new DefaultLastHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8)));
    Answer answer = readResponse();
    assertEquals(404, answer.head().status().code());
    assertEquals("close", answer.head().headers().get("Connection"));
    assertFalse(client.isOpen());
  }

  @Test
  void clusterWithoutEndpointsIs503() {
    send(get("/", "empty.test"));
    Answer answer = readResponse();
    assertEquals(503, answer.head().status().code());
    assertEquals(List.of("r-empty 503"), completed);
    assertTrue(client.isOpen());
  }

  @Test
  void malformedRequestIs400AndCloses() {
    HttpRequest bad = get("/", "a.test");
    bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid header")));
    client.writeInbound(bad);
    Answer answer = readResponse();
    assertEquals(400, answer.head().status().code());
    assertEquals("close", answer.head().headers().get("Connection"));
    assertFalse(client.isOpen());
  }

  @Test
  void proxiesARequestWithForwardedHeadersAndWithoutHopByHopOnes() {
    EmbeddedChannel up = upstreams.willConnect(false);
    HttpRequest req = get("/x?y=1", "a.test:8080");
    req.headers()
        .add("Connection", "keep-alive, x-hop")
        .add("x-hop", "1")
        .add("Keep-Alive", "timeout=5")
        .add("TE", "trailers")
        .add("Proxy-Connection", "keep-alive")
        .add("X-Forwarded-For", "203.0.113.9")
        .add("X-Forwarded-Proto", "https")
        .add("Accept", "text/plain");
    send(req);

    assertEquals(new InetSocketAddress("10.0.0.1", 80), upstreams.acquired.get(0));
    HttpRequest forwarded = up.readOutbound();
    assertEquals("/x?y=1", forwarded.uri());
    assertEquals(HttpVersion.HTTP_1_1, forwarded.protocolVersion());
    var h = forwarded.headers();
    for (String hop : List.of("connection", "x-hop", "keep-alive", "te", "proxy-connection")) {
      assertFalse(h.contains(hop), hop);
    }
    assertEquals("203.0.113.9, 192.0.2.7", h.get("x-forwarded-for"));
    assertEquals("http", h.get("x-forwarded-proto"));
    assertEquals("a.test:8080", h.get("x-forwarded-host"));
    assertEquals("a.test:8080", h.get("host"));
    assertTrue(h.get("x-request-id").matches("[0-9a-f]{32}"), h.get("x-request-id"));
    assertEquals("text/plain", h.get("accept"));
    assertInstanceOf(LastHttpContent.class, up.readOutbound());

    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set("Content-Length", 5).set("Connection", "keep-alive").set("Keep-Alive", "timeout=5").set("X-App", "1");
    up.writeInbound(r, new DefaultLastHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)));

    Answer answer = readResponse();
    assertEquals("hello", answer.body());
    assertEquals(200, answer.head().status().code());
    assertFalse(answer.head().headers().contains("Connection"));
    assertFalse(answer.head().headers().contains("Keep-Alive"));
    assertEquals("1", answer.head().headers().get("X-App"));
    assertEquals(List.of(up), upstreams.released, "keep-alive upstream connection goes back to the pool");
    assertTrue(client.isOpen());
    assertEquals(List.of("r 200"), completed);
  }

  @Test
  void anAbsoluteFormTargetIsRoutedByItsAuthorityAndSentInOriginForm() {
    EmbeddedChannel up = upstreams.willConnect(false);
    // RFC 9112 3.2.2: the authority of the target wins over the Host header.
    send(get("http://A.test:8080/x?y=1", "unknown.test"));
    assertEquals(new InetSocketAddress("10.0.0.1", 80), upstreams.acquired.get(0));
    HttpRequest forwarded = up.readOutbound();
    assertEquals("/x?y=1", forwarded.uri());
    assertEquals("A.test:8080", forwarded.headers().get("host"));
    assertEquals("A.test:8080", forwarded.headers().get("x-forwarded-host"));
    drainRequest(up);
    respond(up, "ok");
    assertEquals("ok", readResponse().body());
    assertEquals(List.of("r 200"), completed);
  }

  @Test
  void absoluteFormTargetsBecomeOriginForm() {
    HttpRequest bare = get("https://user@a.test", "b.test");
    assertTrue(FrontendHandler.toOriginForm(bare));
    assertEquals("/", bare.uri());
    assertEquals("a.test", bare.headers().get("host"));
    HttpRequest query = get("http://a.test?q#frag", null);
    assertTrue(FrontendHandler.toOriginForm(query));
    assertEquals("/?q", query.uri());
    HttpRequest origin = get("/p?u=http://x.test/", "b.test");
    assertTrue(FrontendHandler.toOriginForm(origin));
    assertEquals("/p?u=http://x.test/", origin.uri(), "origin-form is left alone");
    assertEquals("b.test", origin.headers().get("host"));
    assertFalse(FrontendHandler.toOriginForm(get("http:///x", "b.test")), "no host in the target");
  }

  @Test
  void anAbsoluteFormTargetWithoutAHostIs400() {
    send(get("http:///x", "a.test"));
    Answer answer = readResponse();
    assertEquals(400, answer.head().status().code());
    assertFalse(client.isOpen());
    assertTrue(upstreams.acquired.isEmpty());
  }

  @Test
  void keepsAClientRequestId() {
    EmbeddedChannel up = upstreams.willConnect(false);
    HttpRequest req = get("/", "a.test");
    req.headers().set("X-Request-Id", "abc-123");
    send(req);
    HttpRequest forwarded = up.readOutbound();
    assertEquals("abc-123", forwarded.headers().get("x-request-id"));
    drainRequest(up);
    respond(up, "ok");
    readResponse();
  }

  @Test
  void streamsTheRequestBodyChunkByChunk() {
    EmbeddedChannel up = upstreams.willConnect(false);
    HttpRequest post = get("/upload", "a.test");
    post.setMethod(HttpMethod.POST);
    HttpUtil.setTransferEncodingChunked(post, true);
    client.writeInbound(post);
    assertInstanceOf(HttpRequest.class, up.readOutbound());
    for (int i = 0; i < 3; i++) {
      client.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer("part" + i, StandardCharsets.UTF_8)));
      HttpContent c = up.readOutbound();
      assertEquals("part" + i, c.content().toString(StandardCharsets.UTF_8), "each chunk goes up as it arrives");
      c.release();
    }
    client.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertInstanceOf(LastHttpContent.class, up.readOutbound());
    respond(up, "done");
    assertEquals("done", readResponse().body());
  }

  @Test
  void bodyThatArrivesWhileConnectingIsSentAfterTheHead() {
    upstreams.holdNext = true;
    HttpRequest post = get("/upload", "a.test");
    post.setMethod(HttpMethod.POST);
    HttpUtil.setContentLength(post, 4);
    client.writeInbound(post, new DefaultLastHttpContent(Unpooled.copiedBuffer("body", StandardCharsets.UTF_8)));
    EmbeddedChannel up = new EmbeddedChannel(new BackendHandler());
    upstreams.handedOut.add(up);
    upstreams.pending.setSuccess(up);
    assertInstanceOf(HttpRequest.class, up.readOutbound());
    LastHttpContent last = up.readOutbound();
    assertEquals("body", last.content().toString(StandardCharsets.UTF_8));
    last.release();
    respond(up, "ok");
    readResponse();
  }

  @Test
  void connectFailureIs502() {
    upstreams.willFail();
    upstreams.willFail();
    send(get("/", "a.test"));
    runBackoff(); // the default retry policy tries a connect failure once more
    assertEquals(2, upstreams.acquired.size());
    Answer answer = readResponse();
    assertEquals(502, answer.head().status().code());
    assertTrue(client.isOpen(), "the request was complete, so the connection stays");
    assertEquals(List.of("r 502"), completed);
  }

  @Test
  void upstreamClosingBeforeTheResponseIs502() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(up);
    up.close();
    // Not the stale-connection retry (the connection was fresh), but the default policy retries a reset once.
    EmbeddedChannel second = upstreams.willConnect(false);
    runBackoff();
    drainRequest(second);
    second.close();
    Answer answer = readResponse();
    assertEquals(502, answer.head().status().code());
    assertEquals(2, upstreams.acquired.size(), "one retry, then the 502");
  }

  /**
   * Fails every write held so far at the next flush, then closes: what a socket the peer reset does
   * (EPIPE or ECONNRESET inside flush), synchronously, with the failures delivered inside that flush.
   */
  private static final class ResetOnFlush extends ChannelOutboundHandlerAdapter {
    private final List<io.netty.channel.ChannelPromise> held = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
      io.netty.util.ReferenceCountUtil.release(msg);
      held.add(promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      java.io.IOException reset = new java.io.IOException("Connection reset by peer");
      List<io.netty.channel.ChannelPromise> failing = new ArrayList<>(held);
      held.clear();
      failing.forEach(p -> p.tryFailure(reset));
      ctx.close();
    }
  }

  @Test
  void aFlushThatFailsAtOnceIsRetriedAndTheClientKeptOpen() {
    upstreams.willConnect(false, new ResetOnFlush());
    EmbeddedChannel second = upstreams.willConnect(false);
    send(get("/", "a.test"));
    assertTrue(client.isOpen(), "the failed flush did not take the client down");
    runBackoff(); // the default policy retries a reset once
    drainRequest(second);
    respond(second, "second try");
    Answer answer = readResponse();
    assertEquals(200, answer.head().status().code());
    assertEquals("second try", answer.body());
    assertTrue(client.isOpen());
    client.checkException();
    assertEquals(2, upstreams.acquired.size());
  }

  @Test
  void aStaleShadowConnectionFailingAtFlushLeavesThePrimaryAlone() {
    config.apply(new SnapshotBuilder(2)
        .cluster("c", new Endpoint("10.0.0.1", 80))
        .cluster("shadow", new Endpoint("10.0.0.9", 80))
        .host("m.test")
        .route(new dev.weir.snapshot.Route("m", "test", dev.weir.snapshot.PathMatch.prefix("/"), List.of(), null,
            List.of(new dev.weir.snapshot.WeightedCluster("c", 1))).withTraffic(null, null, "shadow"))
        .build());
    EmbeddedChannel primary = upstreams.willConnect(false);
    upstreams.willConnect(true, new ResetOnFlush()); // the shadow's pooled connection, reset meanwhile
    send(get("/", "m.test"));
    assertTrue(client.isOpen(), "the shadow's failure did not take the client down");
    drainRequest(primary);
    respond(primary, "primary");
    Answer answer = readResponse();
    assertEquals(200, answer.head().status().code());
    assertEquals("primary", answer.body());
    assertTrue(client.isOpen());
    client.checkException();
  }

  @Test
  void aTrickledBodyIsKeptForReplayWithoutPinningItsReadBuffers() {
    EmbeddedChannel first = upstreams.willConnect(false);
    EmbeddedChannel second = upstreams.willConnect(false);
    HttpRequest put = get("/trickle", "a.test");
    put.setMethod(HttpMethod.PUT);
    HttpUtil.setContentLength(put, 1000);
    client.writeInbound(put);
    // Each byte a slice of its own 8 KiB read buffer, as the decoder hands out a segment at a time.
    List<io.netty.buffer.ByteBuf> readBuffers = new ArrayList<>();
    byte[] expected = new byte[1000];
    for (int i = 0; i < 1000; i++) {
      io.netty.buffer.ByteBuf read = Unpooled.buffer(8192).writeZero(8192);
      expected[i] = (byte) (i * 7);
      read.setByte(i, expected[i]);
      readBuffers.add(read);
      client.writeInbound(new DefaultHttpContent(read.retainedSlice(i, 1)));
      read.release(); // the decoder's own reference: only the slice holds it now
    }
    client.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    drainRequest(first); // the upstream wrote (and so released) all of it
    long pinned = readBuffers.stream().filter(b -> b.refCnt() > 0).count();
    assertEquals(0, pinned, "read buffers still held by the replay copy of the body");
    first.close(); // reset before any response: the PUT is replayed on another connection
    runBackoff();
    assertInstanceOf(HttpRequest.class, second.readOutbound());
    java.io.ByteArrayOutputStream replayed = new java.io.ByteArrayOutputStream();
    Object msg;
    while ((msg = second.readOutbound()) != null) {
      HttpContent c = (HttpContent) msg;
      byte[] b = new byte[c.content().readableBytes()];
      c.content().readBytes(b);
      replayed.writeBytes(b);
      c.release();
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, replayed.toByteArray(), "the replayed body is the body");
    respond(second, "replayed");
    assertEquals("replayed", readResponse().body());
  }

  /** Runs the retry backoff timer (at most 25 ms for the first retry of the default policy). */
  private void runBackoff() {
    client.advanceTimeBy(30, java.util.concurrent.TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
  }

  @Test
  void aBodilessRequestIsRetriedOnceWhenAReusedConnectionDies() {
    EmbeddedChannel stale = upstreams.willConnect(true);
    EmbeddedChannel fresh = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(stale);
    stale.close();
    assertEquals(List.of(false, true), upstreams.fresh);
    HttpRequest again = fresh.readOutbound();
    assertEquals("/", again.uri());
    assertInstanceOf(LastHttpContent.class, fresh.readOutbound());
    respond(fresh, "second try");
    assertEquals("second try", readResponse().body());
  }

  @Test
  void upstreamSilenceIs504() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/slow", "a.test"));
    drainRequest(up);
    client.advanceTimeBy(1, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertNull(client.readOutbound());
    client.advanceTimeBy(1500, TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
    Answer answer = readResponse();
    assertEquals(504, answer.head().status().code());
    assertFalse(up.isOpen(), "the upstream connection is abandoned");
    assertTrue(client.isOpen());
  }

  @Test
  void upstreamClosingMidResponseClosesTheClient() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(up);
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpUtil.setContentLength(r, 100);
    up.writeInbound(r, new DefaultHttpContent(Unpooled.copiedBuffer("partial", StandardCharsets.UTF_8)));
    up.close();
    HttpResponse head = client.readOutbound();
    assertEquals(200, head.status().code());
    HttpContent part = client.readOutbound();
    part.release();
    assertFalse(client.isOpen(), "a truncated response must not look complete");
  }

  @Test
  void pipelinedRequestsWaitForTheResponseBeforeThem() {
    EmbeddedChannel first = upstreams.willConnect(false);
    EmbeddedChannel second = upstreams.willConnect(false);
    client.writeInbound(get("/one", "a.test"), LastHttpContent.EMPTY_LAST_CONTENT, get("/two", "a.test"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertEquals(1, upstreams.acquired.size());
    assertEquals("/one", ((HttpRequest) first.readOutbound()).uri());
    drainRequest(first);
    respond(first, "one");
    assertEquals("one", readResponse().body());
    assertEquals(2, upstreams.acquired.size());
    assertEquals("/two", ((HttpRequest) second.readOutbound()).uri());
    drainRequest(second);
    respond(second, "two");
    assertEquals("two", readResponse().body());
  }

  /** Plays a client that stops (false) or resumes (true) reading: its connection turns unwritable, as at the high water mark. */
  private void setClientWritable(boolean writable) {
    client.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    client.runPendingTasks(); // the change is announced from a task
  }

  /** Counts the reads the handler asks of the client connection from now on. */
  private int[] countReads() {
    client.config().setAutoRead(false); // as on a real downstream connection: only the handler asks for reads
    int[] reads = {0};
    client.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
      @Override
      public void read(ChannelHandlerContext ctx) {
        reads[0]++;
        ctx.read();
      }
    });
    return reads;
  }

  @Test
  void aClientThatDoesNotReadIsNotAnsweredOrReadFurther() {
    int[] reads = countReads();
    setClientWritable(false);
    // Pipelined requests it answers itself would otherwise pile up answers without limit.
    send(get("/", "unknown.test"));
    assertNull(client.readOutbound(), "no answer is added to what the client has not read yet");
    assertEquals(0, reads[0], "nor is the next request read");
    setClientWritable(true);
    Answer answer = readResponse();
    assertEquals(404, answer.head().status().code());
    assertEquals(1, reads[0], "once it reads, so does the proxy");
    assertTrue(client.isOpen());
  }

  @Test
  void aPipelinedRequestWaitsWhileTheClientDoesNotRead() {
    EmbeddedChannel first = upstreams.willConnect(false);
    EmbeddedChannel second = upstreams.willConnect(false);
    int[] reads = countReads();
    client.writeInbound(get("/one", "a.test"), LastHttpContent.EMPTY_LAST_CONTENT, get("/two", "a.test"), LastHttpContent.EMPTY_LAST_CONTENT);
    drainRequest(first);
    reads[0] = 0; // (reading the first request's end was fine)
    setClientWritable(false);
    respond(first, "one");
    assertEquals("one", readResponse().body());
    assertEquals(1, upstreams.acquired.size(), "the next request is not started while the client does not read");
    assertEquals(0, reads[0], "nor is anything more read");
    setClientWritable(true);
    assertEquals(2, upstreams.acquired.size());
    assertEquals("/two", ((HttpRequest) second.readOutbound()).uri());
    drainRequest(second);
    respond(second, "two");
    assertEquals("two", readResponse().body());
    assertTrue(reads[0] > 0, "reading goes on");
  }

  @Test
  void aClientThatStopsReadingMidResponseIsClosedAfterTheIdleTimeout() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(up);
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpUtil.setContentLength(r, 100);
    up.writeInbound(r, new DefaultHttpContent(Unpooled.copiedBuffer("partial", StandardCharsets.UTF_8)));
    HttpResponse head = client.readOutbound();
    assertEquals(200, head.status().code());
    ((HttpContent) client.readOutbound()).release();
    setClientWritable(false);
    // The upstream is silent because the proxy stopped reading it for the client: that is not an
    // upstream timeout (2 s here), but the client may not hold the exchange longer than its idle timeout (60 s).
    client.advanceTimeBy(59, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertTrue(client.isOpen());
    assertTrue(up.isOpen());
    client.advanceTimeBy(2, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertFalse(client.isOpen(), "the client is closed");
    assertFalse(up.isOpen(), "the upstream connection is closed, its response unfinished");
    assertTrue(upstreams.released.isEmpty(), "and not pooled");
  }

  @Test
  void http10ClientWithoutKeepAliveGetsConnectionClose() {
    EmbeddedChannel up = upstreams.willConnect(false);
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
    req.headers().set("Host", "a.test");
    send(req);
    HttpRequest forwarded = up.readOutbound();
    assertEquals(HttpVersion.HTTP_1_1, forwarded.protocolVersion(), "upstream keep-alive does not depend on the client");
    drainRequest(up);
    respond(up, "x");
    Answer answer = readResponse();
    assertEquals("close", answer.head().headers().get("Connection"));
    assertFalse(client.isOpen());
  }

  @Test
  void readUntilCloseResponseIsRechunkedForHttp11Clients() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(up);
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
    up.writeInbound(r, new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8)), LastHttpContent.EMPTY_LAST_CONTENT);
    Answer answer = readResponse();
    assertEquals("abc", answer.body());
    assertTrue(HttpUtil.isTransferEncodingChunked(answer.head()));
    assertTrue(upstreams.released.isEmpty(), "an HTTP/1.0 upstream connection is not reused");
    assertFalse(up.isOpen());
    assertTrue(client.isOpen());
  }

  @Test
  void drainClosesAnIdleConnectionAtOnce() {
    client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
    assertFalse(client.isOpen());
  }

  @Test
  void drainLetsTheCurrentRequestFinishWithConnectionClose() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(up);
    client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
    assertTrue(client.isOpen());
    respond(up, "last");
    Answer answer = readResponse();
    assertEquals("last", answer.body());
    assertEquals("close", answer.head().headers().get("Connection"));
    assertFalse(client.isOpen());
  }

  @Test
  void clientGoingAwayClosesTheUpstream() {
    EmbeddedChannel up = upstreams.willConnect(false);
    HttpRequest post = get("/", "a.test");
    post.setMethod(HttpMethod.POST);
    HttpUtil.setTransferEncodingChunked(post, true);
    client.writeInbound(post, new DefaultHttpContent(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)));
    drainRequest(up);
    client.close();
    assertFalse(up.isOpen());
    assertTrue(upstreams.released.isEmpty());
  }

  @Test
  void informationalResponsesAreRelayedBeforeTheFinalOne() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(up);
    up.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE), LastHttpContent.EMPTY_LAST_CONTENT);
    respond(up, "final");
    HttpResponse interim = client.readOutbound();
    assertEquals(100, interim.status().code());
    assertInstanceOf(LastHttpContent.class, client.readOutbound());
    Answer answer = readResponse();
    assertEquals("final", answer.body());
    assertEquals(200, answer.head().status().code());
    assertEquals(List.of("r 200"), completed);
  }
  @Test
  void drainDuringAResponseClosesAfterIt() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(up);
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpUtil.setContentLength(r, 2);
    up.writeInbound(r);
    client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
    assertTrue(client.isOpen(), "the response in progress goes on");
    up.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("ok", StandardCharsets.UTF_8)));
    HttpResponse head = client.readOutbound();
    assertFalse(head.headers().contains("Connection"), "the head was out before the drain");
    LastHttpContent last = client.readOutbound();
    last.release();
    assertFalse(client.isOpen());
  }

  @Test
  void aClientThatStopsSendingItsBodyIsClosedWhenIdle() {
    EmbeddedChannel up = upstreams.willConnect(false);
    HttpRequest post = get("/", "a.test");
    post.setMethod(HttpMethod.POST);
    HttpUtil.setContentLength(post, 100);
    client.writeInbound(post);
    drainRequest(up);
    client.pipeline().fireUserEventTriggered(io.netty.handler.timeout.IdleStateEvent.ALL_IDLE_STATE_EVENT);
    assertFalse(client.isOpen());
    assertFalse(up.isOpen());
  }

  @Test
  void aClientWaitingForItsResponseIsNotIdle() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "a.test"));
    drainRequest(up);
    client.pipeline().fireUserEventTriggered(io.netty.handler.timeout.IdleStateEvent.ALL_IDLE_STATE_EVENT);
    assertTrue(client.isOpen());
    respond(up, "late");
    assertEquals("late", readResponse().body());
  }

  @Test
  void connectIsNotSupported() {
    HttpRequest connect = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "a.test:443");
    connect.headers().set("Host", "a.test:443");
    send(connect);
    Answer answer = readResponse();
    assertEquals(405, answer.head().status().code());
    assertFalse(client.isOpen());
  }

  // ---- per-route policy: policy.test has request 3 s, connect 250 ms, idle 500 ms, body 10 bytes ----

  private static HttpRequest post(String host, long contentLength) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
    r.headers().set("Host", host);
    if (contentLength >= 0) {
      HttpUtil.setContentLength(r, contentLength);
    } else {
      HttpUtil.setTransferEncodingChunked(r, true);
    }
    return r;
  }

  @Test
  void aDeclaredBodyOverTheRoutesLimitIs413BeforeAnythingGoesUpstream() {
    client.writeInbound(post("policy.test", 11));
    Answer answer = readResponse();
    assertEquals(413, answer.head().status().code());
    assertEquals("close", answer.head().headers().get("Connection"));
    assertTrue(upstreams.acquired.isEmpty(), "nothing went upstream");
    assertEquals(List.of("r-policy 413"), completed);
    assertFalse(client.isOpen(), "not a socket, so no lingering close: closed at once");
  }

  @Test
  void aBodyAtTheLimitPasses() {
    EmbeddedChannel up = upstreams.willConnect(false);
    client.writeInbound(post("policy.test", 10), new DefaultLastHttpContent(Unpooled.copiedBuffer("0123456789", StandardCharsets.UTF_8)));
    drainRequest(up);
    respond(up, "stored");
    assertEquals("stored", readResponse().body());
  }

  @Test
  void aChunkedBodyCrossingTheLimitIs413AndTheUpstreamIsAbandoned() {
    EmbeddedChannel up = upstreams.willConnect(false);
    client.writeInbound(post("policy.test", -1), new DefaultHttpContent(Unpooled.copiedBuffer("012345", StandardCharsets.UTF_8)));
    drainRequest(up);
    client.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer("6789A", StandardCharsets.UTF_8)));
    Answer answer = readResponse();
    assertEquals(413, answer.head().status().code());
    assertEquals("close", answer.head().headers().get("Connection"));
    assertFalse(up.isOpen(), "the upstream got part of a body: its connection cannot be reused");
    assertEquals(List.of("r-policy 413"), completed);
  }

  @Test
  void theRoutesConnectTimeoutIsPassedOnAndATimedOutConnectIs504() {
    upstreams.willTimeOut();
    upstreams.willTimeOut();
    send(get("/", "policy.test"));
    runBackoff(); // a connect failure is retried once by default
    assertEquals(List.of(250L, 250L), upstreams.connectTimeouts);
    assertEquals(504, readResponse().head().status().code());
    send(get("/", "a.test"));
    assertEquals(0L, upstreams.connectTimeouts.get(2), "other routes use the default");
    drainRequest(upstreams.handedOut.get(upstreams.handedOut.size() - 1));
    respond(upstreams.handedOut.get(upstreams.handedOut.size() - 1), "ok");
    readResponse();
  }

  @Test
  void theRoutesIdleTimeoutReplacesTheResponseTimeout() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "policy.test"));
    drainRequest(up);
    client.advanceTimeBy(400, TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
    assertNull(client.readOutbound());
    client.advanceTimeBy(150, TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
    assertEquals(504, readResponse().head().status().code());
  }

  @Test
  void theRoutesRequestTimeoutBoundsTheWholeExchangeEvenWhileBytesFlow() {
    EmbeddedChannel up = upstreams.willConnect(false);
    send(get("/", "policy.test"));
    drainRequest(up);
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpUtil.setTransferEncodingChunked(head, true);
    up.writeInbound(head);
    for (int i = 0; i < 7; i++) { // a trickle every 400 ms keeps the idle timeout away, not the request timeout
      client.advanceTimeBy(400, TimeUnit.MILLISECONDS);
      client.runScheduledPendingTasks();
      up.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)));
    }
    assertTrue(client.isOpen());
    client.advanceTimeBy(400, TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
    assertFalse(client.isOpen(), "past 3 s the exchange is aborted");
    assertFalse(up.isOpen());
    Object msg;
    while ((msg = client.readOutbound()) != null) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  @Test
  void aRouteWithHttpsRedirectAnswersPlainHttpWithLocationAndKeepsTheConnection() {
    send(get("/cart?id=7", "Secure.Test:8080"));
    Answer answer = readResponse();
    assertEquals(308, answer.head().status().code());
    assertEquals("https://secure.test/cart?id=7", answer.head().headers().get("Location"));
    assertTrue(upstreams.acquired.isEmpty(), "nothing went upstream");
    assertTrue(client.isOpen());
    assertEquals(List.of("r-secure 308"), completed);
  }
}
