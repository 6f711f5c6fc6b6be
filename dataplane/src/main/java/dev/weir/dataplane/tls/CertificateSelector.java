package dev.weir.dataplane.tls;

import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.TlsCertificate;
import dev.weir.snapshot.VirtualHost;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which certificate a TLS client gets, by SNI host name: a virtual host's certificate for its exact
 * name, then for the wildcard that covers one extra label, then the snapshot's default certificate
 * (its first when none is named). A virtual host with client validation gets a context of its own
 * that asks for client certificates. Immutable; built once per snapshot.
 */
public final class CertificateSelector {

  private static final CertificateSelector NONE = new CertificateSelector(Map.of(), Map.of(), Map.of(), null);

  private final Map<String, SslContext> byName;
  private final Map<String, SslContext> exactHosts;
  private final Map<String, SslContext> wildcardHosts;
  private final SslContext fallback;

  private CertificateSelector(
      Map<String, SslContext> byName, Map<String, SslContext> exactHosts, Map<String, SslContext> wildcardHosts, SslContext fallback) {
    this.byName = byName;
    this.exactHosts = exactHosts;
    this.wildcardHosts = wildcardHosts;
    this.fallback = fallback;
  }

  public static CertificateSelector none() {
    return NONE;
  }

  /**
   * @param contexts the built context of every certificate in the snapshot, by certificate name
   */
  public static CertificateSelector of(Snapshot snapshot, Map<String, SslContext> contexts) {
    Map<ServerContextCache.Key, SslContext> keyed = new HashMap<>();
    for (TlsCertificate c : snapshot.certificates()) {
      SslContext ctx = contexts.get(c.name());
      if (ctx != null) {
        keyed.put(new ServerContextCache.Key(c, null), ctx);
      }
    }
    return ofKeyed(snapshot, keyed);
  }

  /** @param contexts as {@link ServerContextCache#contexts} gives them */
  public static CertificateSelector ofKeyed(Snapshot snapshot, Map<ServerContextCache.Key, SslContext> contexts) {
    Map<String, TlsCertificate> certificates = new HashMap<>();
    for (TlsCertificate c : snapshot.certificates()) {
      certificates.putIfAbsent(c.name(), c);
    }
    Map<String, SslContext> byName = new HashMap<>();
    for (TlsCertificate c : certificates.values()) {
      SslContext ctx = contexts.get(new ServerContextCache.Key(c, null));
      if (ctx != null) {
        byName.put(c.name(), ctx);
      }
    }
    Map<String, SslContext> exact = new HashMap<>();
    Map<String, SslContext> wildcard = new HashMap<>();
    for (VirtualHost vh : snapshot.virtualHosts()) {
      TlsCertificate cert = vh.tlsCertificate() == null ? null : certificates.get(vh.tlsCertificate());
      SslContext ctx = cert == null ? null : contexts.get(new ServerContextCache.Key(cert, vh.clientValidation()));
      if (ctx == null || vh.host() == null) {
        continue;
      }
      String host = vh.host().trim().toLowerCase(Locale.ROOT);
      if (host.startsWith("*.")) {
        wildcard.putIfAbsent(host, ctx);
      } else if (!host.equals("*")) {
        exact.putIfAbsent(host, ctx);
      }
    }
    String fallbackName =
        snapshot.defaultCertificate() != null ? snapshot.defaultCertificate()
            : snapshot.certificates().isEmpty() ? null : snapshot.certificates().get(0).name();
    SslContext fallback = fallbackName == null ? null : byName.get(fallbackName);
    return new CertificateSelector(Map.copyOf(byName), Map.copyOf(exact), Map.copyOf(wildcard), fallback);
  }

  /** The context for an SNI name (null when the client sent none), or null when there is no certificate at all. */
  public SslContext select(String sniHost) {
    if (sniHost != null) {
      String host = sniHost.toLowerCase(Locale.ROOT);
      if (host.endsWith(".")) {
        host = host.substring(0, host.length() - 1);
      }
      SslContext ctx = exactHosts.get(host);
      if (ctx != null) {
        return ctx;
      }
      int dot = host.indexOf('.');
      if (dot > 0 && (ctx = wildcardHosts.get("*" + host.substring(dot))) != null) {
        return ctx;
      }
    }
    return fallback;
  }

  /** Built contexts by certificate name. */
  public Map<String, SslContext> byName() {
    return byName;
  }

  public boolean isEmpty() {
    return fallback == null;
  }
}
