package dev.weir.dataplane.config;

import dev.weir.snapshot.ChannelMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a control channel to the controller open: dials, says hello, applies pushes (ACK/NACK),
 * sends heartbeats and reports, and reconnects with jittered exponential backoff whenever the
 * connection fails, is refused, or the controller goes silent. Traffic is served from the last
 * applied snapshot the whole time; nothing here ever stops it.
 *
 * <p>With a TLS directory in the settings, every attempt first reads the credentials from it (so renewed
 * files are picked up) and starts with a TLS handshake; a failed handshake is retried like a failed dial.
 *
 * <p>Everything runs on one event loop of the group given to it (apply included: compiling a
 * snapshot must not stall the proxy's event loops).
 */
public final class ControlChannelClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlChannelClient.class);

  /** Name of the handler that detects a silent controller. */
  static final String DEAD_PEER = "dead-peer";

  private final ControlChannelSettings settings;
  private final ConfigHolder config;
  private final Supplier<ChannelMessage.Report> reports;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final Backoff backoff;
  private volatile boolean closed;
  private volatile boolean connected;
  private Channel channel;
  private ControlChannelTls tls; // for the connection being set up; read on every attempt

  /**
   * @param reports builds a report of this replica's current state (called on the client's loop)
   * @param group where the channel runs; the client uses one of its loops
   * @param socketChannel the transport's socket channel class
   */
  public ControlChannelClient(
      ControlChannelSettings settings,
      ConfigHolder config,
      Supplier<ChannelMessage.Report> reports,
      EventLoopGroup group,
      Class<? extends Channel> socketChannel) {
    this.settings = settings;
    this.config = config;
    this.reports = reports;
    this.loop = group.next();
    this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(socketChannel)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    long silentNanos = settings.heartbeatInterval().toNanos() * 3;
                    if (tls != null) {
                      ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), settings.host(), settings.port()));
                    }
                    ch.pipeline()
                        // First, so that any bytes count as a sign of life: behind the frame decoder it
                        // would only see whole frames, and a large push that takes longer than three
                        // heartbeat intervals to arrive would be taken for a dead controller (and the
                        // reconnect would start that push over, forever).
                        .addLast(DEAD_PEER, new IdleStateHandler(silentNanos, 0, 0, TimeUnit.NANOSECONDS))
                        .addLast("frame-decoder", new LengthFieldBasedFrameDecoder(ChannelMessage.MAX_FRAME_BYTES, 0, 4, 0, 4))
                        .addLast("frame-encoder", new LengthFieldPrepender(4))
                        .addLast("json", ChannelMessageCodec.INSTANCE)
                        .addLast("control", new ControlChannelHandler(ControlChannelClient.this, settings, config, reports));
                  }
                });
  }

  /** Starts dialling; returns at once. */
  public void start() {
    loop.execute(this::connect);
  }

  /** True while a channel is open and the controller has not refused it. */
  public boolean isConnected() {
    return connected;
  }

  public ControlChannelSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    closed = true;
    loop.execute(
        () -> {
          if (channel != null) {
            channel.close();
          }
        });
  }

  private void connect() {
    if (closed) {
      return;
    }
    if (settings.tlsDir() != null) {
      try {
        tls = ControlChannelTls.load(settings.tlsDir());
      } catch (IllegalArgumentException e) {
        failed("control channel: no usable TLS credentials: " + e.getMessage());
        scheduleReconnect();
        return;
      }
    }
    ChannelFuture f = bootstrap.connect(settings.host(), settings.port());
    channel = f.channel();
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            // Loud the first time and about once a minute after; a controller that is down for long must not flood the log.
            if (backoff.failures() % 12 == 0) {
              log.warn("control channel: cannot reach controller {}:{}: {}", settings.host(), settings.port(), done.cause().getMessage());
            } else {
              log.debug("control channel: cannot reach controller {}:{}: {}", settings.host(), settings.port(), done.cause().getMessage());
            }
            scheduleReconnect();
          }
        });
  }

  // ---- called by the handler, on the loop ----

  /**
   * A failed attempt (TLS refused either way, credentials unreadable): loud the first time and about once a
   * minute after, like an unreachable controller.
   */
  void failed(String message) {
    if (backoff.failures() % 12 == 0) {
      log.warn("{}; retrying with backoff, serving the last applied snapshot meanwhile", message);
    } else {
      log.debug(message);
    }
  }

  void onConnected() {
    connected = true;
  }

  /** The controller accepted this replica (it sent something other than a refusal). */
  void onAccepted() {
    backoff.reset();
  }

  void onDisconnected() {
    connected = false;
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    long delay = backoff.nextDelayNanos();
    log.debug("control channel: reconnecting in {} ms (attempt {})", TimeUnit.NANOSECONDS.toMillis(delay), backoff.failures());
    loop.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
  }
}
