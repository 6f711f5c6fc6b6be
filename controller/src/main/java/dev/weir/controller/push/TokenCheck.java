package dev.weir.controller.push;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/** Compares a presented bootstrap token with the expected one in constant time (no timing oracle). */
public final class TokenCheck {
  private final Supplier<String> expected;

  /** A supplier, so a rotated token Secret takes effect without a restart. */
  public TokenCheck(Supplier<String> expected) {
    this.expected = expected;
  }

  public boolean accepts(String presented) {
    String want = expected.get();
    if (want == null || want.isEmpty() || presented == null) return false;
    return MessageDigest.isEqual(want.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }
}
