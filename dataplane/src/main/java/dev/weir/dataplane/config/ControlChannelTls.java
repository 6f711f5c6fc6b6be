package dev.weir.dataplane.config;

import dev.weir.snapshot.pem.PemKeys;
import dev.weir.dataplane.tls.ServerSslContexts;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The dataplane's side of the control channel's mutual TLS, read from the mounted Secret
 * ({@code tls.crt}, {@code tls.key}, {@code ca.crt}). Read again for every connection attempt, so that
 * credentials the controller renewed (kubelet updates the mount in place) are used without a restart.
 * The controller's certificate must chain to {@code ca.crt} (nothing else is trusted) and name the host
 * the dataplane dialled.
 */
public final class ControlChannelTls {
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SslContext context;

  private ControlChannelTls(SslContext context) {
    this.context = context;
  }

  /** Throws {@link IllegalArgumentException} with a reason fit for a log line (never key material). */
  public static ControlChannelTls load(Path dir) {
    String crt = read(dir, "tls.crt");
    String key = read(dir, "tls.key");
    String ca = read(dir, "ca.crt");
    List<X509Certificate> chain = PemKeys.certificates(crt);
    PrivateKey privateKey = PemKeys.privateKey(key);
    if (!PemKeys.matches(privateKey, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(dir.resolve("tls.key") + " does not match " + dir.resolve("tls.crt"));
    }
    List<X509Certificate> trusted = PemKeys.certificates(ca);
    try {
      return new ControlChannelTls(SslContextBuilder.forClient()
          .sslProvider(ServerSslContexts.provider())
          .protocols(PROTOCOLS)
          .keyManager(privateKey, chain.toArray(X509Certificate[]::new))
          .trustManager(trusted.toArray(X509Certificate[]::new))
          .build());
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("TLS context from " + dir + " cannot be built: " + e.getMessage(), e);
    }
  }

  /** A handler for one connection to {@code host:port}, checking that the controller's certificate names {@code host}. */
  SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
    SslHandler handler = context.newHandler(alloc, host, port);
    SSLEngine engine = handler.engine();
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(parameters);
    return handler;
  }

  private static String read(Path dir, String name) {
    try {
      return Files.readString(dir.resolve(name), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }
}
