package dev.weir.controller.app;

import dev.weir.controller.pki.CaStore;
import dev.weir.controller.pki.CertificateAuthority;
import dev.weir.controller.pki.Credentials;
import dev.weir.controller.pki.DataplaneCredentialsRenewal;
import dev.weir.controller.pki.DirectoryCaStore;
import dev.weir.controller.pki.SecretCaStore;
import dev.weir.controller.pki.SecretRef;
import dev.weir.controller.pki.ServerNames;
import dev.weir.controller.push.ServerTls;
import dev.weir.controller.push.TokenCheck;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the control channel is secured, from the options: mutual TLS with a CA from a Secret or a directory
 * (the dataplanes' client credentials issued or renewed on the way, the server certificate issued in memory),
 * or, only when asked for explicitly, plaintext with a mandatory token. A token, when configured, is checked
 * in the hello on top of TLS.
 *
 * <p>Besides the check at start, {@link #renew()} runs now and then while the controller runs, so that one
 * running for most of a year neither lets the dataplane credentials expire nor serves an expired certificate.
 */
final class ControlChannelSecurity {
  private static final Logger log = LoggerFactory.getLogger(ControlChannelSecurity.class);
  static final String DEFAULT_DATAPLANE_SECRET = "weir-dataplane-tls";
  static final String DEFAULT_NAMESPACE = "weir-system";

  private final TokenCheck tokens;
  private final CaStore store;
  private final CertificateAuthority ca;
  private final List<String> names;
  private final Clock clock;
  private volatile Credentials server;
  private volatile SslContext tls;

  private ControlChannelSecurity(TokenCheck tokens, CaStore store, CertificateAuthority ca, List<String> names,
      Clock clock) {
    this.tokens = tokens;
    this.store = store;
    this.ca = ca;
    this.names = names;
    this.clock = clock;
    if (ca != null) issueServer();
  }

  /** The server's TLS context now; null for plaintext. */
  SslContext tls() {
    return tls;
  }

  TokenCheck tokens() {
    return tokens;
  }

  /** The controller's current server certificate; null for plaintext. */
  Credentials server() {
    return server;
  }

  /**
   * Re-issues what is due: the dataplane credentials (by the same rules as at start; also when someone deleted
   * them) and the server certificate within 30 days of its expiry. True when {@link #tls()} changed.
   */
  synchronized boolean renew() {
    if (ca == null) return false;
    Instant now = clock.instant();
    DataplaneCredentialsRenewal.ensure(store, ca, now);
    if (server.remaining(now).compareTo(DataplaneCredentialsRenewal.RENEW_BEFORE) >= 0) return false;
    issueServer();
    return true;
  }

  private void issueServer() {
    Credentials issued = ca.issueServer(names, clock.instant());
    tls = ServerTls.context(issued);
    server = issued;
    log.info("control channel: mutual TLS, server certificate for {} valid until {}", names,
        issued.certificate().getNotAfter().toInstant());
  }

  static ControlChannelSecurity resolve(ControllerOptions o, KubernetesClient client, Clock clock) throws IOException {
    boolean hasCa = o.caSecret() != null || o.caDir() != null;
    if (o.caSecret() != null && o.caDir() != null) {
      throw new IllegalArgumentException("--ca-secret and --ca-dir exclude each other");
    }
    if (o.insecureControlChannel() && hasCa) {
      throw new IllegalArgumentException("--insecure-control-channel excludes --ca-secret and --ca-dir");
    }
    if (o.dataplaneTlsSecret() != null && o.caSecret() == null) {
      throw new IllegalArgumentException("--dataplane-tls-secret goes with --ca-secret (with --ca-dir the "
          + "dataplane credentials are written to DIR/dataplane)");
    }
    if (!o.insecureControlChannel() && !hasCa) {
      throw new IllegalArgumentException("the control channel carries private keys and needs mutual TLS: give "
          + "--ca-secret NAMESPACE/NAME (in a cluster) or --ca-dir DIR; --insecure-control-channel (with a token) "
          + "runs it in plaintext, for debugging only");
    }
    String token = TokenSource.resolve(o, client);
    TokenCheck tokens = token == null ? TokenCheck.none() : new TokenCheck(() -> token);
    if (o.insecureControlChannel()) {
      if (token == null) {
        throw new IllegalArgumentException("--insecure-control-channel authenticates dataplanes by token only: give "
            + "--token-file FILE, --token-secret NAMESPACE/NAME or WEIR_TOKEN");
      }
      log.warn("control channel in PLAINTEXT (--insecure-control-channel): snapshots, private keys included, cross "
          + "the network unencrypted. For debugging only.");
      return new ControlChannelSecurity(tokens, null, null, List.of(), clock);
    }

    String namespace;
    CaStore store;
    if (o.caSecret() != null) {
      SecretRef ca = SecretRef.parse(o.caSecret(), "--ca-secret");
      SecretRef dataplane = o.dataplaneTlsSecret() == null
          ? new SecretRef(ca.namespace(), DEFAULT_DATAPLANE_SECRET)
          : SecretRef.parse(o.dataplaneTlsSecret(), "--dataplane-tls-secret");
      namespace = ca.namespace();
      store = new SecretCaStore(client, ca, dataplane, clock);
    } else {
      String podNs = System.getenv("POD_NAMESPACE");
      namespace = podNs != null && !podNs.isBlank() ? podNs : DEFAULT_NAMESPACE;
      store = new DirectoryCaStore(o.caDir(), clock);
    }
    Instant now = clock.instant();
    CertificateAuthority ca = store.loadOrCreate();
    if (ca.certificate().getNotAfter().toInstant().isBefore(now.plus(DataplaneCredentialsRenewal.RENEW_BEFORE))) {
      log.warn("the control-channel CA expires at {}: replace it (delete the CA Secret or files and restart the "
          + "controller; dataplanes pick up the new credentials on reconnect)", ca.certificate().getNotAfter());
    }
    DataplaneCredentialsRenewal.ensure(store, ca, now);
    List<String> names = o.controlServerNames().isEmpty() ? ServerNames.defaults(namespace) : o.controlServerNames();
    return new ControlChannelSecurity(tokens, store, ca, names, clock);
  }
}
