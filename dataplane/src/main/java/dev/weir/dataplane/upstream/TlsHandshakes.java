package dev.weir.dataplane.upstream;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/** Connections are handed out, and so pooled, only once their TLS handshake succeeded. */
final class TlsHandshakes {
  private TlsHandshakes() {}

  /**
   * Completes {@code promise} with the connected {@code ch} when it has no TLS, else when its handshake
   * succeeded; a failed handshake fails the promise with its cause and closes the channel.
   */
  static void whenDone(Channel ch, Promise<Channel> promise) {
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl == null) {
      promise.trySuccess(ch);
      return;
    }
    Future<Channel> handshake = ssl.handshakeFuture();
    if (handshake.isDone()) {
      done(handshake, ch, promise);
    } else {
      handshake.addListener(f -> done(handshake, ch, promise));
    }
  }

  private static void done(Future<Channel> handshake, Channel ch, Promise<Channel> promise) {
    if (handshake.isSuccess()) {
      promise.trySuccess(ch);
    } else {
      promise.tryFailure(handshake.cause());
      ch.close();
    }
  }
}
