package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.TlsCertificate;
import dev.weir.snapshot.pem.CertificateCheck;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code kubernetes.io/tls} Secrets → {@link TlsCertificate}s named {@code <namespace>/<secret>}, and
 * CA bundles ({@code ca.crt}) for client and upstream certificate verification.
 *
 * <p>A certificate is checked here as deeply as the dataplane would: the Secret must exist, have type
 * {@code kubernetes.io/tls}, and its {@code tls.crt} and {@code tls.key} must parse, match, and be valid
 * at the translation's instant. One bad Secret then costs only the hosts that use it (ResolvedRefs=False,
 * the host falls back to plain HTTP) instead of a snapshot every dataplane NACKs, which would stop every
 * other change from being programmed. The dataplane still checks again (it must never trust its input).
 * Values come from {@code stringData} when present there (the API server folds it into {@code data};
 * test servers may not), else from {@code data}, base64-decoded.
 */
final class TlsResolver {
  static final String TLS_TYPE = "kubernetes.io/tls";
  static final String CERT_KEY = "tls.crt";
  static final String PRIVATE_KEY = "tls.key";
  static final String CA_KEY = "ca.crt";
  static final String PEM_MARKER = "-----BEGIN";

  /** A certificate name, or the reason and message of why the Secret cannot be used. */
  record Resolution(String certificateName, Reason reason, String message) {
    static Resolution failed(Reason reason, String message) {
      return new Resolution(null, reason, message);
    }

    boolean ok() {
      return certificateName != null;
    }
  }

  /** A CA bundle's PEM, or the reason and message of why the Secret cannot be used. */
  record CaResolution(String pem, Reason reason, String message) {
    static CaResolution failed(Reason reason, String message) {
      return new CaResolution(null, reason, message);
    }

    boolean ok() {
      return pem != null;
    }
  }

  private final IndexView index;
  private final Instant now;
  private final Map<String, TlsCertificate> certificates = new TreeMap<>();

  /** @param now the instant certificates must be valid at (an input, so translation stays pure) */
  TlsResolver(IndexView index, Instant now) {
    this.index = index;
    this.now = now;
  }

  Resolution resolve(String namespace, String secretName) {
    String name = namespace + "/" + secretName;
    Secret secret = index.secret(namespace, secretName);
    if (secret == null) {
      return Resolution.failed(Reason.SecretNotFound, "secret " + name + " not found");
    }
    if (!TLS_TYPE.equals(secret.getType())) {
      String type = secret.getType() == null ? "Opaque" : secret.getType();
      return Resolution.failed(
          Reason.InvalidCertificate, "secret " + name + " has type " + type + ", want " + TLS_TYPE);
    }
    List<String> problems = new ArrayList<>();
    String chain = pem(secret, CERT_KEY, problems);
    String key = pem(secret, PRIVATE_KEY, problems);
    if (!problems.isEmpty()) {
      return Resolution.failed(Reason.InvalidCertificate, "secret " + name + ": " + String.join(", ", problems));
    }
    String problem = CertificateCheck.problem(chain, key, now);
    if (problem != null) {
      return Resolution.failed(Reason.InvalidCertificate, "secret " + name + ": " + problem);
    }
    certificates.putIfAbsent(name, new TlsCertificate(name, chain, key));
    return new Resolution(name, null, null);
  }

  /**
   * The PEM CA bundle under {@code ca.crt} of a Secret of any type (cert-manager puts it into its
   * {@code kubernetes.io/tls} Secrets; an Opaque Secret holding only {@code ca.crt} works too), checked to
   * parse and to be within its validity period.
   */
  CaResolution resolveCa(String namespace, String secretName) {
    String name = namespace + "/" + secretName;
    Secret secret = index.secret(namespace, secretName);
    if (secret == null) {
      return CaResolution.failed(Reason.SecretNotFound, "secret " + name + " not found");
    }
    List<String> problems = new ArrayList<>();
    String pem = pem(secret, CA_KEY, problems);
    if (!problems.isEmpty()) {
      return CaResolution.failed(Reason.InvalidCertificate, "secret " + name + ": " + String.join(", ", problems));
    }
    String problem = CertificateCheck.bundleProblem(pem, now);
    if (problem != null) {
      return CaResolution.failed(Reason.InvalidCertificate, "secret " + name + ": " + CA_KEY + ": " + problem);
    }
    return new CaResolution(pem, null, null);
  }

  /** The certificates with these names, sorted by name; names this resolver never produced are skipped. */
  List<TlsCertificate> certificates(Collection<String> names) {
    List<TlsCertificate> list = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      TlsCertificate c = certificates.get(name);
      if (c != null) {
        list.add(c);
      }
    }
    return list;
  }

  private static String pem(Secret secret, String key, List<String> problems) {
    String value = null;
    if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
      value = secret.getStringData().get(key);
    } else if (secret.getData() != null && secret.getData().get(key) != null) {
      try {
        byte[] bytes = Base64.getDecoder().decode(secret.getData().get(key).replaceAll("\\s", ""));
        value = new String(bytes, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        problems.add(key + " is not valid base64");
        return null;
      }
    }
    if (value == null || value.isBlank()) {
      problems.add(key + " is missing or empty");
      return null;
    }
    if (!value.contains(PEM_MARKER)) {
      problems.add(key + " is not PEM (no " + PEM_MARKER + ")");
      return null;
    }
    return value;
  }
}
