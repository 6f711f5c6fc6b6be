package dev.weir.dataplane.tls;

import dev.weir.snapshot.ClientValidation;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * What a downstream TLS connection's handshake established about the client: which client
 * validation it passed (the one of the virtual host its SNI name chose), and the verified client
 * certificate's subject. Set on the connection channel by the SNI handler; touched only on the
 * connection's event loop (HTTP/2 streams run on their parent's).
 */
public final class ConnectionTls {

  public static final AttributeKey<ConnectionTls> KEY = AttributeKey.valueOf(ConnectionTls.class, "tls");

  private final ClientValidation validation;
  private String subject;
  private boolean subjectRead;

  public ConnectionTls(ClientValidation validation) {
    this.validation = validation;
  }

  /** The connection's TLS record, or null for a plain connection or one whose handshake asked for no client certificate. */
  public static ConnectionTls of(Channel connection) {
    return connection.attr(KEY).get();
  }

  public ClientValidation validation() {
    return validation;
  }

  /**
   * The verified client certificate's subject (RFC 2253, e.g. {@code CN=alice,O=shop}), or null when
   * the client presented none (possible only with an optional validation).
   */
  public String peerSubject(Channel connection) {
    if (!subjectRead) {
      subjectRead = true;
      SslHandler ssl = connection.pipeline().get(SslHandler.class);
      if (ssl != null) {
        try {
          Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
          if (peer.length > 0 && peer[0] instanceof X509Certificate x509) {
            subject = x509.getSubjectX500Principal().getName();
          }
        } catch (SSLPeerUnverifiedException e) {
          subject = null; // no certificate presented
        }
      }
    }
    return subject;
  }
}
