package dev.weir.controller.pki;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at controller start whether the dataplanes' client credentials are still good, and issues new
 * ones when they are missing, unreadable, signed by another CA (the CA changed), or within 30 days of expiry.
 */
public final class DataplaneCredentialsRenewal {
  private static final Logger log = LoggerFactory.getLogger(DataplaneCredentialsRenewal.class);
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private DataplaneCredentialsRenewal() {}

  /** The credentials the dataplanes have after this call. */
  public static Credentials ensure(CaStore store, CertificateAuthority ca, Instant now) {
    Optional<Credentials> current = store.readDataplane();
    Optional<String> reason = current.isEmpty() ? Optional.of("none stored yet") : whyRenew(current.get(), ca, now);
    if (reason.isEmpty()) return current.get();
    Credentials issued = ca.issueClient(now);
    store.writeDataplane(issued);
    log.info("issued dataplane client certificate into {} ({}), valid until {}", store.describe(), reason.get(),
        issued.certificate().getNotAfter().toInstant());
    return issued;
  }

  /** Why {@code c} must be replaced, or empty when it may stay. */
  static Optional<String> whyRenew(Credentials c, CertificateAuthority ca, Instant now) {
    if (!ca.signed(c.certificate()) || !c.ca().equals(ca.certificate())) return Optional.of("the CA changed");
    Duration left = c.remaining(now);
    if (left.compareTo(RENEW_BEFORE) < 0) return Optional.of("expires in " + left.toDays() + " days");
    if (!KeyMatch.matches(c.key(), c.certificate().getPublicKey())) return Optional.of("key does not match");
    return Optional.empty();
  }
}
