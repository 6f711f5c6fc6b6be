package dev.weir.dataplane.pipeline;

import dev.weir.snapshot.UpstreamProtocol;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.proxy.ProxyContext;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.proxy.RequestStats;
import dev.weir.dataplane.tls.CertificateSelector;
import dev.weir.dataplane.tls.SniContextMapping;
import dev.weir.dataplane.upstream.UpstreamConnector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole downstream pipeline on bytes: codec, idle handler and proxy handler together. */
class HttpServerInitializerTest {

  private static final UpstreamConnector NO_UPSTREAMS =
      new UpstreamConnector() {
        @Override
        public Future<Channel> acquire(EventLoop loop, InetSocketAddress endpoint, UpstreamProtocol protocol, dev.weir.dataplane.upstream.UpstreamTlsContext tls, long connectTimeoutMillis, boolean fresh) {
          throw new AssertionError("no upstream expected");
        }

        @Override
        public void release(Channel channel) {}
      };

  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  private EmbeddedChannel channel(SniContextMapping sni) {
    ProxyContext px = new ProxyContext(new ConfigHolder(), NO_UPSTREAMS, RequestStats.NONE, ProxySettings.defaults(), "http");
    return new EmbeddedChannel(new HttpServerInitializer(px, sni, connections));
  }

  private static String readAll(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) msg;
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @Test
  void buildsTheHttpPipelineInOrder() {
    EmbeddedChannel ch = channel(null);
    List<String> names = ch.pipeline().names();
    assertEquals(List.of(PipelineNames.IDLE, PipelineNames.HTTP_CODEC, PipelineNames.HEAD_TIMEOUT, PipelineNames.PROXY), names.subList(0, 4));
    assertTrue(connections.contains(ch));
    assertFalse(ch.finishAndReleaseAll());
  }

  private EmbeddedChannel h2cChannel() {
    ProxyContext px = new ProxyContext(new ConfigHolder(), NO_UPSTREAMS, RequestStats.NONE, ProxySettings.defaults(), "http");
    return new EmbeddedChannel(new HttpServerInitializer(px, null, connections, true));
  }

  @Test
  void withH2cTheFirstBytesDecideTheProtocol() {
    EmbeddedChannel ch = h2cChannel();
    assertEquals(
        List.of(PipelineNames.IDLE, PipelineNames.H2C_PREFACE, PipelineNames.HTTP_CODEC, PipelineNames.HEAD_TIMEOUT, PipelineNames.PROXY),
        ch.pipeline().names().subList(0, 5));
    // The preface in two pieces: nothing is decided on the first.
    byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    ch.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(preface, 0, 10));
    assertTrue(ch.pipeline().names().contains(PipelineNames.H2C_PREFACE));
    ch.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(preface, 10, preface.length - 10));
    assertEquals(List.of(PipelineNames.IDLE, PipelineNames.H2_CODEC, PipelineNames.H2_MULTIPLEX, PipelineNames.H2_CONNECTION), ch.pipeline().names().subList(0, 4));
    assertTrue(readAll(ch).length() > 0, "the server's SETTINGS went out");
    ch.finishAndReleaseAll(); // closing writes a GOAWAY
  }

  @Test
  void withH2cAnHttp11ClientKeepsTheHttp11Pipeline() {
    EmbeddedChannel ch = h2cChannel();
    ch.writeInbound(io.netty.buffer.Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.ISO_8859_1));
    assertEquals(List.of(PipelineNames.IDLE, PipelineNames.HTTP_CODEC, PipelineNames.HEAD_TIMEOUT, PipelineNames.PROXY), ch.pipeline().names().subList(0, 4));
    assertTrue(readAll(ch).startsWith("HTTP/1.1 404"), "no snapshot: no route");
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void httpsStartsWithSni() {
    EmbeddedChannel ch = channel(new SniContextMapping(CertificateSelector::none));
    assertEquals(PipelineNames.SNI, ch.pipeline().names().get(0));
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void answersPipelinedRequestsOnTheWireWithoutASnapshot() {
    EmbeddedChannel ch = channel(null);
    ch.writeInbound(
        Unpooled.copiedBuffer("GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: y\r\n\r\n", StandardCharsets.US_ASCII));
    String wire = readAll(ch);
    String body = "404 Not Found: no route for this host and path\n";
    assertTrue(wire.startsWith("HTTP/1.1 404 Not Found\r\n"), wire);
    assertTrue(wire.contains("content-length: " + body.length() + "\r\n"), wire);
    assertEquals(2, wire.split("HTTP/1.1 404").length - 1, wire);
    assertTrue(wire.endsWith("\r\n\r\n"), "the HEAD response has no body: " + wire);
    assertEquals(1, wire.split(body, -1).length - 1, "only the GET has the body");
    assertTrue(ch.isOpen());
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void oversizedHeadersAre431AndGarbageIs400() {
    EmbeddedChannel big = channel(null);
    big.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", StandardCharsets.US_ASCII));
    assertTrue(readAll(big).startsWith("HTTP/1.1 431 "));
    assertFalse(big.isOpen());
    assertFalse(big.finishAndReleaseAll());

    EmbeddedChannel garbage = channel(null);
    garbage.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", StandardCharsets.US_ASCII));
    String wire = readAll(garbage);
    assertTrue(wire.startsWith("HTTP/1.1 400 Bad Request\r\n"), wire);
    assertTrue(wire.contains("connection: close"), wire);
    assertFalse(garbage.isOpen());
    assertFalse(garbage.finishAndReleaseAll());
  }
}
