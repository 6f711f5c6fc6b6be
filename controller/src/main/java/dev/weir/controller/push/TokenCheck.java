package dev.weir.controller.push;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * Compares a presented bootstrap token with the expected one in constant time (no timing oracle). With
 * mutual TLS the token is optional, an extra check when one is configured ({@link #none()} otherwise).
 */
public final class TokenCheck {
  private static final TokenCheck NONE = new TokenCheck(null);
  private final Supplier<String> expected;

  /** A supplier, so a rotated token Secret takes effect without a restart. */
  public TokenCheck(Supplier<String> expected) {
    this.expected = expected;
  }

  /** No token configured: the TLS client certificate alone authenticates the dataplane. */
  public static TokenCheck none() {
    return NONE;
  }

  public boolean accepts(String presented) {
    if (expected == null) return true;
    String want = expected.get();
    if (want == null || want.isEmpty() || presented == null) return false;
    return MessageDigest.isEqual(want.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }
}
