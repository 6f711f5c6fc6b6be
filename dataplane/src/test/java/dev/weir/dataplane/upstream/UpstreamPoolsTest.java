package dev.weir.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-event-loop pool against a real backend, driven from its event loop as the proxy does. */
class UpstreamPoolsTest {

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private final EchoBackend backend = EchoBackend.start("pool");
  private final InetSocketAddress endpoint = new InetSocketAddress("127.0.0.1", backend.port());

  @AfterEach
  void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    backend.close();
  }

  private UpstreamPools pools(Duration idle, int maxIdle) {
    // A plain relay stand-in: the pool only needs a channel that it can arm a read on.
    return new UpstreamPools(NioSocketChannel.class, new ChannelInboundHandlerAdapter() {
      @Override
      public boolean isSharable() {
        return true;
      }

      @Override
      public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
        io.netty.util.ReferenceCountUtil.release(msg);
        ctx.close();
      }
    }, Duration.ofSeconds(2), idle, maxIdle);
  }

  private <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  private Channel acquire(UpstreamPools pools, boolean fresh) throws Exception {
    return onLoop(() -> pools.acquire(loop, endpoint, fresh)).get(5, TimeUnit.SECONDS);
  }

  @Test
  void reusesAReleasedConnectionOnTheSameLoop() throws Exception {
    UpstreamPools pools = pools(Duration.ofSeconds(30), 4);
    Channel first = acquire(pools, false);
    assertSame(loop, first.eventLoop(), "connections live on the requesting loop");
    assertFalse(UpstreamConnector.isReused(first));
    assertFalse(first.config().isAutoRead());
    onLoop(() -> { pools.release(first); return null; });
    assertEquals(1, (int) onLoop(() -> pools.idleCount(loop, endpoint)));
    Channel second = acquire(pools, false);
    assertSame(first, second);
    assertTrue(UpstreamConnector.isReused(second));
    Channel fresh = acquire(pools, true);
    assertNotSame(first, fresh);
    Await.until("the backend saw two connections", () -> backend.connectionsAccepted() == 2);
    first.close();
    fresh.close();
  }

  @Test
  void aConnectionTheUpstreamClosesLeavesThePool() throws Exception {
    UpstreamPools pools = pools(Duration.ofSeconds(30), 4);
    Channel ch = acquire(pools, false);
    onLoop(() -> { pools.release(ch); return null; });
    backend.close(); // closes the backend's side of every connection
    Await.until("pooled connection noticed the close", () -> !ch.isActive());
    Await.until("and was forgotten", () -> {
      try {
        return onLoop(() -> pools.idleCount(loop, endpoint)) == 0;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    UpstreamPools pools = pools(Duration.ofMillis(100), 4);
    Channel ch = acquire(pools, false);
    onLoop(() -> { pools.release(ch); return null; });
    Await.until("idle connection closed", Duration.ofSeconds(3), () -> !ch.isOpen());
    assertEquals(0, (int) onLoop(() -> pools.idleCount(loop, endpoint)));
  }

  @Test
  void keepsAtMostMaxIdlePerEndpointAndClosesAllOnClose() throws Exception {
    UpstreamPools pools = pools(Duration.ofSeconds(30), 1);
    Channel a = acquire(pools, true);
    Channel b = acquire(pools, true);
    onLoop(() -> { pools.release(a); pools.release(b); return null; });
    assertEquals(1, (int) onLoop(() -> pools.idleCount(loop, endpoint)));
    Await.until("the extra one is closed", () -> !b.isOpen());
    pools.close();
    Await.until("close empties the pool", () -> !a.isOpen());
  }

  @Test
  void aFailedConnectFailsTheFuture() throws Exception {
    UpstreamPools pools = pools(Duration.ofSeconds(30), 1);
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    var f = onLoop(() -> pools.acquire(loop, new InetSocketAddress("127.0.0.1", dead), false));
    f.await(5, TimeUnit.SECONDS);
    assertFalse(f.isSuccess());
  }
}
