package dev.weir.controller.push;

import dev.weir.controller.pki.CertificateAuthority;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.LongAdder;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right behind the {@link SslHandler}: a failed handshake (no client certificate, one from another CA,
 * an expired one, not TLS at all) becomes one WARN line with the peer and the reason, and the connection is
 * closed before any byte reaches the session. A certificate that the CA signed for something other than a
 * dataplane (its CN is not {@code weir-dataplane}) is refused the same way: a user-provided CA may sign more.
 */
final class PeerAuthentication extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(PeerAuthentication.class);
  static final String DATAPLANE_NAME = CertificateAuthority.DATAPLANE_NAME;
  static final String DATAPLANE_CN = "CN=" + DATAPLANE_NAME;

  private final LongAdder refused;
  private boolean failed;

  PeerAuthentication(LongAdder refused) {
    this.refused = refused;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (!done.isSuccess()) {
        String reason = reason(done.cause());
        // An alert is the peer's verdict, not ours: most likely it did not accept the controller's certificate.
        refuse(ctx, "TLS handshake failed: " + reason
            + (reason.contains("ALERT") ? " (alert from the peer: did it refuse the controller's certificate?)" : ""));
        return;
      }
      String subject = peerSubject(ctx);
      if (!isDataplane(subject)) {
        refuse(ctx, "client certificate " + subject + " is not a dataplane's (" + DATAPLANE_CN + ")");
        return;
      }
      log.debug("control channel: TLS peer {} authenticated as {}", ctx.channel().remoteAddress(), subject);
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // After a refusal the SslHandler reports the same failure again as an exception: already logged.
    if (failed) return;
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // Nothing arrives before the handshake completes; this is only a guard for the order of events.
    if (failed) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    failed = true;
    refused.increment();
    log.warn("control channel: refused peer {}: {}", ctx.channel().remoteAddress(), why);
    ctx.close();
  }

  private static String peerSubject(ChannelHandlerContext ctx) {
    try {
      Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x
          ? x.getSubjectX500Principal().getName() : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** True when the subject's common name is {@code weir-dataplane}, in whatever order its RDNs come. */
  static boolean isDataplane(String subject) {
    if (subject == null) return false;
    try {
      return new LdapName(subject).getRdns().stream()
          .anyMatch(r -> r.getType().equalsIgnoreCase("CN") && DATAPLANE_NAME.equals(r.getValue()));
    } catch (InvalidNameException e) {
      return false;
    }
  }

  /** The innermost message, which is the one that says what was wrong (the outer ones wrap it). */
  static String reason(Throwable t) {
    String message = t.toString();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getMessage() != null) message = c.getMessage();
    }
    return message;
  }
}
