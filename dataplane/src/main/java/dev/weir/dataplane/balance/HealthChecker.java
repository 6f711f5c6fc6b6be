package dev.weir.dataplane.balance;

import dev.weir.snapshot.ClusterResilience.HealthCheck;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks on Netty event loops, never blocking one: one check per endpoint per
 * interval (fixed delay: the next check is due an interval after the last one ended, the first after
 * a random part of the interval so checks spread out), each endpoint's checks on one event loop of
 * the group. Endpoints start healthy; {@link HealthCheck#unhealthy()} failures in a row take one out,
 * {@link HealthCheck#healthy()} passes bring it back. How an endpoint is checked is its cluster's
 * {@link ClusterEndpoints#healthProbe() probe}: over plain TCP or TLS, HTTP/1.1 or HTTP/2, as the
 * proxy speaks to that cluster. An endpoint whose cluster stops being checked is healthy again.
 * {@link ClusterRegistry} updates it on every commit.
 */
public final class HealthChecker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  /** One check of one endpoint, as a cluster's endpoints are spoken to. */
  @FunctionalInterface
  public interface Probe {
    /**
     * Starts one check of {@code address} on {@code loop} and returns at once. The future completes
     * on {@code loop}, within {@code check.timeout()}: successfully when the check passed, with the
     * reason when it failed. Cancelling it abandons the check and closes its connection.
     *
     * @param template for the connection: the transport's channel type and options, no event loop or handler yet
     */
    Future<Void> check(EventLoop loop, Bootstrap template, InetSocketAddress address, HealthCheck check);
  }

  /** Makes the health checker when one is first needed. */
  @FunctionalInterface
  public interface Factory {
    HealthChecker create();
  }

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Bootstrap template;
  private Map<EndpointState, Task> tasks = new IdentityHashMap<>(); // guarded by this

  /**
   * Checks on the event loops of {@code group} (not shut down by {@link #close}): the dataplane's
   * own, where a check costs what one more upstream connection costs.
   *
   * @param socketChannel the transport's client socket channel class, matching {@code group}
   */
  public HealthChecker(EventLoopGroup group, Class<? extends Channel> socketChannel) {
    this(group, false, socketChannel);
  }

  private HealthChecker(EventLoopGroup group, boolean ownsGroup, Class<? extends Channel> socketChannel) {
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.template =
        new Bootstrap()
            .channel(socketChannel)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
  }

  /**
   * A checker on an NIO event loop group of {@code threads} daemon threads of its own, shut down by
   * {@link #close}: for a {@link ClusterRegistry} that is not given the dataplane's event loops.
   */
  public static HealthChecker start(int threads) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("weir-health", true), NioIoHandler.newFactory());
    return new HealthChecker(group, true, NioSocketChannel.class);
  }

  /** Checks exactly the endpoints of {@code clusters} that have a health check and a probe. */
  public synchronized void update(Collection<ClusterEndpoints> clusters) {
    Map<EndpointState, Task> next = new IdentityHashMap<>();
    for (ClusterEndpoints c : clusters) {
      HealthCheck check = c.resilience().healthCheck();
      if (check == null || c.healthProbe() == null) {
        continue;
      }
      for (EndpointState e : c.endpoints()) {
        Task t = tasks.remove(e);
        if (t != null && t.check.equals(check)) {
          t.cluster = c; // its next check uses this snapshot's probe (e.g. new TLS settings)
        } else {
          if (t != null) {
            t.cancel();
          }
          t = new Task(e, c, check, group.next());
          t.schedule(ThreadLocalRandom.current().nextLong(check.interval()) + 1);
        }
        next.put(e, t);
      }
    }
    for (Task t : tasks.values()) {
      t.cancel();
      t.state.resetHealth();
    }
    tasks = next;
  }

  /** How many endpoints are being checked. */
  public synchronized int checking() {
    return tasks.size();
  }

  @Override
  public synchronized void close() {
    for (Task t : tasks.values()) {
      t.cancel();
    }
    tasks = new HashMap<>();
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /**
   * The checks of one endpoint, all on one event loop: a run starts a check, its end schedules the
   * next run, so there is never more than one check of an endpoint in flight. {@link #cancel} may come
   * from any thread: both it and {@link #track} write one volatile and then read the other, so either
   * the cancel sees what to cancel or the loop sees that it was cancelled.
   */
  private final class Task implements Runnable {
    final EndpointState state;
    final HealthCheck check;
    final EventLoop loop;
    volatile ClusterEndpoints cluster;
    /** The next run while one is due, else the check in flight. */
    private volatile Future<?> pending;
    private volatile boolean cancelled;

    Task(EndpointState state, ClusterEndpoints cluster, HealthCheck check, EventLoop loop) {
      this.state = state;
      this.cluster = cluster;
      this.check = check;
      this.loop = loop;
    }

    void schedule(long delayMillis) {
      try {
        track(loop.schedule(this, delayMillis, TimeUnit.MILLISECONDS));
      } catch (RejectedExecutionException e) {
        // The event loops are shutting down: so is the dataplane, and nothing is checked any more.
      }
    }

    void cancel() {
      cancelled = true;
      Future<?> f = pending;
      if (f != null) {
        f.cancel(false);
      }
    }

    private void track(Future<?> f) {
      pending = f;
      if (cancelled) {
        f.cancel(false);
      }
    }

    @Override
    public void run() {
      if (cancelled) {
        return;
      }
      ClusterEndpoints c = cluster;
      Future<Void> result;
      try {
        result = c.healthProbe().check(loop, template, state.address(), check);
      } catch (RuntimeException e) {
        log.warn("health check of {} could not start", state.address(), e);
        result = loop.newFailedFuture(e);
      }
      track(result);
      Future<Void> r = result;
      r.addListener(f -> finished(c, r));
    }

    private void finished(ClusterEndpoints c, Future<Void> result) {
      if (cancelled) {
        return;
      }
      boolean passed = result.isSuccess();
      if (state.checked(passed, check.unhealthy(), check.healthy())) {
        if (passed) {
          log.info("cluster {} endpoint {} is healthy again (active health check {})", c.cluster(), state.address(), check.path());
        } else {
          log.info("cluster {} endpoint {} is unhealthy (active health check {}: {})", c.cluster(), state.address(), check.path(),
              reason(result.cause()));
        }
      } else if (!passed) {
        log.debug("cluster {} endpoint {}: health check {} failed: {}", c.cluster(), state.address(), check.path(), reason(result.cause()));
      }
      c.listener().healthChecked(c.cluster(), state.address(), passed);
      schedule(check.interval());
    }
  }

  private static String reason(Throwable cause) {
    if (cause == null) {
      return "unknown";
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause(); // a handshake failure wraps the certificate problem that explains it
    }
    String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    return root == cause ? message : cause.getClass().getSimpleName() + ": " + message;
  }
}
