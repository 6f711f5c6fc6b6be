package dev.weir.dataplane.tls;

import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.TlsCertificate;
import dev.weir.snapshot.VirtualHost;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server contexts of the applied snapshot, kept for the next one: a context whose certificate
 * and client validation did not change is reused rather than rebuilt. That saves the build (key
 * parsing, an OpenSSL context) on every snapshot, and keeps the context's session cache and ticket
 * keys, so clients resume their sessions across configuration changes. A context is keyed by the
 * whole certificate (name and PEM), so a renewed Secret gets a new one.
 */
public final class ServerContextCache {

  /** One context: a certificate, and the client validation its handshakes make (null: none). */
  public record Key(TlsCertificate certificate, ClientValidation validation) {}

  private final TlsPolicy policy;
  private volatile Map<Key, SslContext> applied = Map.of();

  public ServerContextCache(TlsPolicy policy) {
    this.policy = policy;
  }

  /**
   * Every context {@code snapshot} needs (each certificate plain, and each certificate and
   * validation pair of a virtual host), from the cache or newly built; a problem for each that
   * fails. Leaves the cache as it is: call {@link #applied} once the snapshot is in use.
   */
  public Map<Key, SslContext> contexts(Snapshot snapshot, List<String> problems) {
    Map<String, TlsCertificate> byName = new HashMap<>();
    for (TlsCertificate c : snapshot.certificates()) {
      if (c.name() != null) {
        byName.putIfAbsent(c.name(), c);
      }
    }
    Map<Key, String> wanted = new LinkedHashMap<>(); // key -> where a failure is reported
    for (TlsCertificate c : byName.values()) {
      wanted.put(new Key(c, null), "certificate " + c.name());
    }
    for (VirtualHost vh : snapshot.virtualHosts()) {
      TlsCertificate c = vh.tlsCertificate() == null ? null : byName.get(vh.tlsCertificate());
      if (c != null && vh.clientValidation() != null) {
        wanted.putIfAbsent(new Key(c, vh.clientValidation()), "virtual host " + vh.host() + ": client validation");
      }
    }
    Map<Key, SslContext> old = applied;
    Map<Key, SslContext> built = new HashMap<>();
    for (Map.Entry<Key, String> w : wanted.entrySet()) {
      Key key = w.getKey();
      SslContext ctx = old.get(key);
      if (ctx == null) {
        try {
          ctx = ServerSslContexts.build(key.certificate(), policy, key.validation());
        } catch (IllegalArgumentException e) {
          problems.add(w.getValue() + ": " + e.getMessage());
          continue;
        }
      }
      built.put(key, ctx);
    }
    return built;
  }

  /** Remembers the contexts now in use; the ones no longer used are dropped. */
  public void applied(Map<Key, SslContext> inUse) {
    applied = Map.copyOf(inUse);
  }

  public TlsPolicy policy() {
    return policy;
  }
}
