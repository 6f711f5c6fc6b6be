package dev.weir.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;

/**
 * Chooses the certificate for each TLS handshake from the configuration current at that moment, so
 * a new snapshot changes certificates for new handshakes while established connections keep theirs.
 */
public final class SniContextMapping implements AsyncMapping<String, SslContext> {

  private final Supplier<CertificateSelector> selector;

  public SniContextMapping(Supplier<CertificateSelector> selector) {
    this.selector = selector;
  }

  @Override
  public Future<SslContext> map(String sniHost, Promise<SslContext> promise) {
    SslContext ctx = selector.get().select(sniHost);
    if (ctx == null) {
      return promise.setFailure(new SSLHandshakeException("no TLS certificate is configured"));
    }
    return promise.setSuccess(ctx);
  }
}
