package dev.weir.dataplane.proxy;

import java.util.LinkedHashSet;
import java.util.Set;

/** Why an upstream TLS handshake failed, in words: the engines put the useful part in nested causes. */
final class TlsFailures {
  private TlsFailures() {}

  /**
   * The messages of the cause chain, outermost first, each unless an earlier one already says it (engines
   * repeat their cause's message in their own), e.g. "General OpenSslEngine problem: No subject
   * alternative DNS name matching api.web.svc found ...".
   */
  static String reason(Throwable failure) {
    Set<String> messages = new LinkedHashSet<>();
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 8; t = t.getCause(), depth++) {
      String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
      if (messages.stream().noneMatch(earlier -> earlier.contains(m))) {
        messages.add(m);
      }
    }
    return String.join(": ", messages);
  }
}
