package dev.weir.dataplane.balance;

import java.util.List;

/**
 * What the pickers share: which endpoints an attempt may go to, in falling order of preference.
 * Level 0: available and not tried; 1: available (every available one was tried); 2 and 3: panic
 * mode (nothing is available): not tried, then any.
 */
final class Pickers {
  static final int LEVELS = 4;

  private Pickers() {}

  static boolean eligible(EndpointState e, int level, List<EndpointState> tried, long now) {
    return switch (level) {
      case 0 -> e.available(now) && !tried(tried, e);
      case 1 -> e.available(now);
      case 2 -> !tried(tried, e);
      default -> true;
    };
  }

  /** Identity, without an iterator. */
  static boolean tried(List<EndpointState> tried, EndpointState e) {
    for (int i = 0, n = tried.size(); i < n; i++) {
      if (tried.get(i) == e) {
        return true;
      }
    }
    return false;
  }

  static int countEligible(List<EndpointState> all, int level, List<EndpointState> tried, long now) {
    int c = 0;
    for (int i = 0, n = all.size(); i < n; i++) {
      if (eligible(all.get(i), level, tried, now)) {
        c++;
      }
    }
    return c;
  }
}
