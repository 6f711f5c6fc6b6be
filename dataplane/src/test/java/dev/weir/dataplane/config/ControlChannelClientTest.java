package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.Snapshot;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldPrepender;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The control-channel client against an in-test controller speaking the protocol. */
class ControlChannelClientTest {

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ConfigHolder config = new ConfigHolder();
  private FakeController controller;
  private ControlChannelClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (controller != null) {
      controller.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  static Snapshot good(long version) {
    return new SnapshotBuilder(version).cluster("c", new Endpoint("127.0.0.1", 9)).host("a.test").prefix("r", "/", "c").build();
  }

  static Snapshot bad(long version) {
    return new SnapshotBuilder(version).host("a.test").prefix("r", "/", "nope").build();
  }

  private ControlChannelClient startClient(int port, Duration heartbeat, Duration report, Duration initialBackoff, Duration maxBackoff) {
    ControlChannelSettings settings =
        ControlChannelSettings.of("127.0.0.1", port, "replica-1", "secret").withIntervals(heartbeat, report).withBackoff(initialBackoff, maxBackoff);
    client =
        new ControlChannelClient(
            settings,
            config,
            () -> new ChannelMessage.Report("replica-1", config.isReady(), config.appliedVersion(), config.appliedHash(), 0, 5, Map.of("r", 5L)),
            group,
            NioSocketChannel.class);
    client.start();
    return client;
  }

  private ControlChannelClient startClient(int port) {
    return startClient(port, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofMillis(200));
  }

  @Test
  void saysHelloThenAcksAPushAndReportsAtOnce() throws Exception {
    controller = new FakeController(0);
    controller.onHello = h -> new ChannelMessage.Push(good(1));
    startClient(controller.port());

    ChannelMessage.Hello hello = controller.nextMessage(ChannelMessage.Hello.class);
    assertEquals(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "replica-1", 0, "", "secret"), hello);
    assertEquals(new ChannelMessage.Ack(1), controller.nextMessage(ChannelMessage.Ack.class));
    ChannelMessage.Report report = controller.nextMessage(ChannelMessage.Report.class);
    assertTrue(report.ready());
    assertEquals(1, report.appliedVersion());
    assertEquals(good(1).hash(), report.appliedHash());
    assertEquals(Map.of("r", 5L), report.routeRequests());
    assertEquals(1, config.appliedVersion());
    assertTrue(client.isConnected());
  }

  @Test
  void nacksAnInvalidPushAndKeepsServingTheLastGoodOne() throws Exception {
    controller = new FakeController(0);
    controller.onHello = h -> new ChannelMessage.Push(good(1));
    startClient(controller.port());
    controller.nextMessage(ChannelMessage.Ack.class);

    controller.send(new ChannelMessage.Push(bad(2)));
    ChannelMessage.Nack nack = controller.nextMessage(ChannelMessage.Nack.class);
    assertEquals(2, nack.version());
    assertTrue(nack.reason().contains("refers to unknown cluster nope"), nack.reason());
    assertEquals(1, config.appliedVersion());
    assertEquals(1, controller.nextMessage(ChannelMessage.Report.class).appliedVersion());

    controller.send(new ChannelMessage.Push(good(3)));
    assertEquals(new ChannelMessage.Ack(3), controller.nextMessage(ChannelMessage.Ack.class));
    assertEquals(3, config.appliedVersion(), "same content: re-labelled");
  }

  @Test
  void sendsHeartbeatsAndPeriodicReports() throws Exception {
    controller = new FakeController(0);
    startClient(controller.port(), Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(50), Duration.ofMillis(200));
    controller.nextMessage(ChannelMessage.Hello.class);
    for (int i = 0; i < 3; i++) {
      assertTrue(controller.nextMessage(ChannelMessage.Heartbeat.class).sentAtMillis() > 0);
    }
    controller.nextMessage(ChannelMessage.Report.class);
    controller.nextMessage(ChannelMessage.Report.class);
    assertEquals(1, controller.connections.get());
  }

  @Test
  void reconnectsWhenTheControllerGoesSilent() throws Exception {
    controller = new FakeController(0);
    controller.onHello = h -> h.lastAppliedVersion() == 0 ? new ChannelMessage.Push(good(4)) : null;
    startClient(controller.port(), Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofMillis(200));
    controller.nextMessage(ChannelMessage.Ack.class);
    controller.heartbeats = false; // hangs: connected, but silent
    long start = System.nanoTime();
    FakeController.Received second = controller.next(ChannelMessage.Hello.class, Duration.ofSeconds(5));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(2, second.connection());
    assertTrue(ms >= 250, "dead only after three silent heartbeat intervals, took " + ms + " ms");
    ChannelMessage.Hello hello = (ChannelMessage.Hello) second.message();
    assertEquals(4, hello.lastAppliedVersion(), "the new hello says what is applied");
    assertEquals(good(4).hash(), hello.lastAppliedHash());
    assertEquals(4, config.appliedVersion(), "the config stays while disconnected");
  }

  @Test
  void aPushThatArrivesSlowlyIsNotTakenForSilence() throws Exception {
    controller = new FakeController(0);
    controller.heartbeats = false; // only the push itself shows that the controller is alive
    startClient(controller.port(), Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofMillis(200));
    controller.nextMessage(ChannelMessage.Hello.class);
    byte[] frame = frame(new ChannelMessage.Push(good(6)));
    // A large push over a slow link: its bytes keep coming, but the whole frame takes about 800 ms,
    // longer than the three heartbeat intervals (300 ms) after which a silent controller is dead.
    int pieces = 20;
    for (int i = 0; i < pieces; i++) {
      controller.sendRaw(Arrays.copyOfRange(frame, i * frame.length / pieces, (i + 1) * frame.length / pieces));
      Thread.sleep(40);
    }
    FakeController.Received ack = controller.next(ChannelMessage.Ack.class, Duration.ofSeconds(5));
    assertEquals(new ChannelMessage.Ack(6), ack.message());
    assertEquals(1, ack.connection(), "no reconnect while the push was arriving");
    assertEquals(1, controller.connections.get());
    assertEquals(6, config.appliedVersion());
  }

  /** A message as the controller puts it on the wire: length-prefixed JSON. */
  private static byte[] frame(ChannelMessage message) {
    EmbeddedChannel encoder = new EmbeddedChannel(new LengthFieldPrepender(4), ChannelMessageCodec.INSTANCE);
    assertTrue(encoder.writeOutbound(message));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ByteBuf buf;
    while ((buf = encoder.readOutbound()) != null) {
      byte[] b = new byte[buf.readableBytes()];
      buf.readBytes(b);
      buf.release();
      bytes.writeBytes(b);
    }
    encoder.finishAndReleaseAll();
    return bytes.toByteArray();
  }

  @Test
  void backsOffWhenRefused() throws Exception {
    controller = new FakeController(0);
    controller.onHello = h -> new ChannelMessage.Refused("bad token");
    startClient(controller.port(), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofMillis(400));
    Thread.sleep(1_500);
    int attempts = controller.connections.get();
    // 50, 100, 200, 400, 400 ms (each jittered down to half at most): about 5-8 in 1.5 s, never a spin.
    assertTrue(attempts >= 3 && attempts <= 12, "attempts: " + attempts);
    assertEquals(0, config.appliedVersion());
  }

  @Test
  void keepsDiallingUntilTheControllerComesUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    startClient(port);
    Thread.sleep(300);
    assertTrue(!client.isConnected());
    controller = new FakeController(port);
    controller.onHello = h -> new ChannelMessage.Push(good(9));
    assertEquals(new ChannelMessage.Ack(9), controller.nextMessage(ChannelMessage.Ack.class));
    Await.until("connected", client::isConnected);
  }

  @Test
  void reconnectsAfterTheControllerCloses() throws Exception {
    controller = new FakeController(0);
    controller.onHello = h -> new ChannelMessage.Push(good(1));
    startClient(controller.port());
    controller.nextMessage(ChannelMessage.Ack.class);
    int port = controller.port();
    controller.close();
    Await.until("disconnected", () -> !client.isConnected());
    controller = new FakeController(port);
    controller.onHello = h -> new ChannelMessage.Push(good(2));
    assertEquals(1, controller.nextMessage(ChannelMessage.Hello.class).lastAppliedVersion());
    assertEquals(new ChannelMessage.Ack(2), controller.nextMessage(ChannelMessage.Ack.class));
  }
}
