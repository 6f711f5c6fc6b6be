package dev.weir.dataplane.proxy;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timeout timer of one client connection, shared by its exchanges one after another. An exchange
 * asks to be checked within some time; a timer that is already due no later is kept (the check then
 * asks again for what is left), so a keep-alive connection serving many short requests schedules a
 * timer about once per timeout rather than scheduling and cancelling one per request, which showed
 * up in profiles as priority-queue work on the event loop.
 */
final class ExchangeTimer {

  private final EventLoop loop;
  private ScheduledFuture<?> pending;
  private long dueAt;
  private Exchange target;

  ExchangeTimer(EventLoop loop) {
    this.loop = loop;
  }

  /** Makes sure {@code exchange.onTimer()} runs within {@code delayNanos} of {@code now} (event-loop clock). */
  void request(Exchange exchange, long now, long delayNanos) {
    target = exchange;
    long due = now + delayNanos;
    if (pending != null && dueAt - due <= 0) {
      return;
    }
    if (pending != null) {
      pending.cancel(false);
    }
    dueAt = due;
    pending = loop.schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** The exchange is over: a pending timer finds nothing to do when it comes. */
  void release(Exchange exchange) {
    if (target == exchange) {
      target = null;
    }
  }

  /** The connection closed. */
  void stop() {
    target = null;
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }

  private void fire() {
    pending = null;
    Exchange e = target;
    if (e != null) {
      e.onTimer();
    }
  }
}
