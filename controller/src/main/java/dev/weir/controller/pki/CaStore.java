package dev.weir.controller.pki;

import java.util.Optional;

/** Where the control channel's CA lives and where the dataplanes' client credentials are handed to them. */
public interface CaStore {

  /** The stored CA; a new one, stored, when there is none yet (another controller winning that race is fine). */
  CertificateAuthority loadOrCreate();

  /** The dataplane credentials as stored now; empty when missing or unreadable (they are then issued anew). */
  Optional<Credentials> readDataplane();

  /** Stores (creates or replaces) the dataplane credentials. */
  void writeDataplane(Credentials credentials);

  /** For log lines: where this store is, e.g. {@code secret weir-system/weir-ca}. */
  String describe();
}
