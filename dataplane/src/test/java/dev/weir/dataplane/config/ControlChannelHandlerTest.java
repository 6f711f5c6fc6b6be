package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.Endpoint;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The protocol handler alone, on an EmbeddedChannel with a virtual clock. */
class ControlChannelHandlerTest {

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ConfigHolder config = new ConfigHolder();
  private final ControlChannelSettings settings =
      ControlChannelSettings.of("127.0.0.1", 1, "r1", "tok").withIntervals(Duration.ofSeconds(5), Duration.ofSeconds(10));
  private final ControlChannelClient client = new ControlChannelClient(settings, config, reports(), group, NioSocketChannel.class);
  private final EmbeddedChannel ch;

  ControlChannelHandlerTest() {
    client.close(); // never dial: the handler's disconnect must not start a real reconnect
    ch = new EmbeddedChannel(new ControlChannelHandler(client, settings, config, reports()));
  }

  private java.util.function.Supplier<ChannelMessage.Report> reports() {
    return () -> new ChannelMessage.Report("r1", config.isReady(), config.appliedVersion(), config.appliedHash(), 0, 0, Map.of());
  }

  @AfterEach
  void tearDown() {
    assertFalse(ch.finishAndReleaseAll());
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void helloOnConnectThenTimedHeartbeatsAndReports() {
    assertEquals(new ChannelMessage.Hello(1, "r1", 0, "", "tok"), ch.readOutbound());
    assertNull(ch.readOutbound());
    ch.advanceTimeBy(5, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertInstanceOf(ChannelMessage.Heartbeat.class, ch.readOutbound());
    ch.advanceTimeBy(5, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertInstanceOf(ChannelMessage.Heartbeat.class, ch.readOutbound());
    assertInstanceOf(ChannelMessage.Report.class, ch.readOutbound());
  }

  @Test
  void acksAndNacksPushesWithAReportEach() {
    ch.readOutbound(); // hello
    ch.writeInbound(new ChannelMessage.Push(new SnapshotBuilder(1).cluster("c", new Endpoint("10.0.0.1", 1)).host("a").prefix("r", "/", "c").build()));
    assertEquals(new ChannelMessage.Ack(1), ch.readOutbound());
    assertEquals(1, ((ChannelMessage.Report) ch.readOutbound()).appliedVersion());
    ch.writeInbound(new ChannelMessage.Push(new SnapshotBuilder(2).host("a").prefix("r", "/", "missing").build()));
    ChannelMessage.Nack nack = ch.readOutbound();
    assertEquals(2, nack.version());
    assertTrue(nack.reason().contains("unknown cluster missing"));
    assertEquals(1, ((ChannelMessage.Report) ch.readOutbound()).appliedVersion());
  }

  @Test
  void refusedOrSilentClosesTheChannel() {
    ch.readOutbound();
    ch.writeInbound(new ChannelMessage.Refused("bad token"));
    assertFalse(ch.isOpen());

    EmbeddedChannel silent = new EmbeddedChannel(new ControlChannelHandler(client, settings, config, reports()));
    silent.readOutbound();
    silent.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    assertFalse(silent.isOpen());
    assertFalse(silent.finishAndReleaseAll());
  }
}
