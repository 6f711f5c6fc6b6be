package dev.weir.dataplane.proxy;

import dev.weir.dataplane.pipeline.EncodedResponse;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris defence: a request head (request line and headers) must be complete within a fixed time,
 * counted from the accept, or from the moment the connection is idle again on keep-alive (the
 * previous response written out to its end, and the previous request read to its end). A client
 * that trickles a head (so that the idle timeout never fires) is answered {@code 408} with
 * {@code Connection: close} and closed; if a response is under way nothing is written, the
 * connection is just closed.
 *
 * <p>Sits right after the HTTP codec. It only observes messages: everything is passed on as it is,
 * nothing is retained or released. The timer is disarmed when a request head passes inbound, and
 * re-armed when the last outstanding response's end ({@link LastHttpContent}, not of an interim 1xx)
 * passes outbound. After a {@code 101 Switching Protocols} the connection is no longer HTTP and the
 * timer is never armed again.
 */
public final class RequestHeadTimeoutHandler extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private ChannelHandlerContext ctx;
  /**
   * Due at or before the deadline, and then only re-armed for what is left: arming and disarming
   * for every request just move the deadline, so a busy keep-alive connection does not schedule and
   * cancel a timer per request.
   */
  private ScheduledFuture<?> timer;
  private boolean armed;
  private long deadline;
  /** Request heads read whose final response has not been written to its end. */
  private int outstanding;
  /** A request head was read, its end not yet. */
  private boolean readingBody;
  /** A final response head was written, its end not yet. */
  private boolean responding;
  /** The head being written is an interim (1xx) response. */
  private boolean interim;
  /** A protocol switch was accepted, or the connection is closed: never arm again. */
  private boolean done;

  /** @param timeout zero or negative: no limit */
  public RequestHeadTimeoutHandler(Duration timeout) {
    this.timeoutNanos = timeout == null ? 0 : timeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      arm();
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    done = true;
    stop();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    arm();
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    done = true;
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!done) {
      if (msg instanceof HttpRequest) {
        cancel();
        outstanding++;
        readingBody = true;
      }
      if (msg instanceof LastHttpContent && readingBody) {
        readingBody = false;
        maybeArm();
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (!done) {
      observeOutbound(msg);
    }
    ctx.write(msg, promise);
  }

  private void observeOutbound(Object msg) {
    if (msg instanceof EncodedResponse) { // a whole final response in one message (a cache hit)
      if (outstanding > 0) {
        outstanding--;
      }
      maybeArm();
      return;
    }
    if (msg instanceof HttpResponse response) {
      HttpResponseStatus status = response.status();
      if (status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
        done = true; // a tunnel from now on
        cancel();
        return;
      }
      interim = status.codeClass() == HttpStatusClass.INFORMATIONAL;
      responding = !interim;
    }
    if (msg instanceof LastHttpContent) {
      if (interim) {
        interim = false;
      } else if (responding) {
        responding = false;
        if (outstanding > 0) {
          outstanding--;
        }
        maybeArm();
      }
    }
  }

  private void maybeArm() {
    if (outstanding == 0 && !readingBody) {
      arm();
    }
  }

  private void arm() {
    armed = false;
    if (done || timeoutNanos <= 0 || !ctx.channel().isActive()) {
      return;
    }
    armed = true;
    deadline = now() + timeoutNanos;
    if (timer == null) {
      timer = ctx.executor().schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Disarms; a pending timer stays and, when it comes, finds nothing to do. */
  private void cancel() {
    armed = false;
  }

  private void stop() {
    armed = false;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private long now() {
    return ctx.channel().eventLoop().ticker().nanoTime();
  }

  private void check() {
    timer = null;
    if (done || !armed || !ctx.channel().isActive()) {
      return;
    }
    long left = deadline - now();
    if (left > 0) {
      timer = ctx.executor().schedule(this::check, left, TimeUnit.NANOSECONDS);
      return;
    }
    expired();
  }

  private void expired() {
    done = true;
    if (responding || interim) {
      ctx.close();
      return;
    }
    FullHttpResponse response = ErrorResponses.text(ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT, "request head not received in time", false);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
