package dev.weir.dataplane.tls;

import dev.weir.snapshot.ClientValidation;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import javax.net.ssl.SSLEngine;

/**
 * A server context that asks for client certificates, labelled with the validation it makes, so
 * that the SNI handler can record on the connection which validation its handshake passed (see
 * {@link ConnectionTls}).
 */
public final class ValidatingSslContext extends DelegatingSslContext {

  private final ClientValidation validation;

  ValidatingSslContext(SslContext context, ClientValidation validation) {
    super(context);
    this.validation = validation;
  }

  public ClientValidation validation() {
    return validation;
  }

  @Override
  protected void initEngine(SSLEngine engine) {
    // Nothing to change: the delegate is configured already.
  }
}
