package dev.weir.dataplane.cache;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Headers from "Name: value" lines, HTTP dates relative to a base instant, and a clock tests move by hand. */
final class CacheFixtures {

  /** 2026-01-01T00:00:00Z: a fixed "now" for every table. */
  static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  private CacheFixtures() {}

  static HttpHeaders headers(String... lines) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (String line : lines) {
      int colon = line.indexOf(':');
      h.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }
    return h;
  }

  static HttpHeaders headers(List<String> lines) {
    return headers(lines.toArray(String[]::new));
  }

  /** The HTTP-date {@code seconds} after T0 (negative: before). */
  static String date(long seconds) {
    return HttpDates.format(T0 + seconds * 1000);
  }

  static StoredResponse stored(int status, HttpHeaders response, long requestTime, long responseTime) {
    return StoredResponse.create(status, response, new byte[0], requestTime, responseTime, VaryKeys.varyNames(response),
        VaryKeys.standard().secondaryKey(VaryKeys.varyNames(response), new DefaultHttpHeaders()),
        FreshnessLifetime.DEFAULT_HEURISTIC_CAP);
  }

  /** Stored as if requested and received at T0. */
  static StoredResponse stored(String... responseLines) {
    return stored(200, headers(responseLines), T0, T0);
  }

  /** A clock that only moves when told to. */
  static final class ManualClock extends Clock {
    private volatile long millis;

    ManualClock(long millis) {
      this.millis = millis;
    }

    void advance(Duration d) {
      millis += d.toMillis();
    }

    void set(long epochMillis) {
      millis = epochMillis;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
