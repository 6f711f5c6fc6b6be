package dev.weir.controller.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ControllerArgsTest {
  private static Duration lease(String... args) {
    return ControllerArgs.parse(args).options().leaseDuration();
  }

  @Test
  void leaseDurationTakesSecondsMillisecondsAndMinutes() {
    assertEquals(Duration.ofSeconds(15), lease(), "the default");
    assertEquals(Duration.ofSeconds(15), lease("--lease-duration", "15s"));
    assertEquals(Duration.ofSeconds(4), lease("--leader-election", "--lease-duration", "4s"));
    assertEquals(Duration.ofMillis(500), lease("--lease-duration", "500ms"));
    assertEquals(Duration.ofMinutes(1), lease("--lease-duration", "1m"));
    assertTrue(ControllerArgs.USAGE.contains("--lease-duration D"));
  }

  @Test
  void leaseDurationRefusesWhatItCannotUse() {
    for (String bad : new String[] {"15", "1.5s", "-1s", "4 s", "1h", "99ms", "61m", "s", ""}) {
      var e = assertThrows(IllegalArgumentException.class, () -> lease("--lease-duration", bad), bad);
      assertTrue(e.getMessage().startsWith("--lease-duration must be"), e.getMessage());
    }
    var missing = assertThrows(IllegalArgumentException.class, () -> lease("--lease-duration"));
    assertEquals("--lease-duration needs a value", missing.getMessage());
  }

  @Test
  void renewDeadlineAndRetryPeriodFollowTheLease() {
    // 15s keeps what was hard-coded before the flag: 10s and 2s.
    assertEquals(Duration.ofSeconds(10), Leadership.renewDeadline(Duration.ofSeconds(15)));
    assertEquals(Duration.ofSeconds(2), Leadership.retryPeriod(Duration.ofSeconds(15)));
    Duration lease = Duration.ofMillis(500);
    // fabric8's LeaderElector checks lease > renew deadline > 1.2 * retry period.
    assertTrue(lease.compareTo(Leadership.renewDeadline(lease)) > 0);
    assertTrue(Leadership.renewDeadline(lease).toNanos() > 1.2 * Leadership.retryPeriod(lease).toNanos());
  }
}
