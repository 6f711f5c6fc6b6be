package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.RouteTimeouts;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
      "0s, 0",
      "0ms, 0",
      "1ms, 1",
      "500ms, 500",
      "15s, 15000",
      "1m, 60000",
      "1h, 3600000",
      "1h30m, 5400000",
      "1m30s, 90000",
      "1s500ms, 1500",
      "2m1ms, 120001",
      "1h1m1s1ms, 3661001",
      "30s1m, 90000",        // parts add up in any order, as in Go
      "1s1s, 2000",
      "99999ms, 99999",
      "86400s, 86400000",    // 24h, the maximum
      "24h, 86400000",
      "00010s, 10000",
  })
  void good(String text, long millis) {
    Parsed p = Durations.parse(text);
    assertNull(p.problem(), text);
    assertEquals(millis, p.value(), text);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "''         | must not be empty",
      "15         | invalid duration \"15\" (want 1 to 4 parts of <number><h|m|s|ms>, e.g. 500ms, 15s or 1h30m)",
      "1.5s       | invalid duration \"1.5s\"",
      "-1s        | invalid duration \"-1s\"",
      "1d         | invalid duration \"1d\"",
      "1us        | invalid duration \"1us\"",
      "15 s       | invalid duration \"15 s\"",
      "' 15s'     | invalid duration \" 15s\"",
      "1S         | invalid duration \"1S\"",
      "100000ms   | invalid duration \"100000ms\"",      // 6 digits
      "1h1m1s1ms1h| invalid duration \"1h1m1s1ms1h\"",   // 5 parts
      "s          | invalid duration \"s\"",
      "25h        | \"25h\" is longer than the maximum of 24h",
      "86401s     | \"86401s\" is longer than the maximum of 24h",
      "24h1ms     | \"24h1ms\" is longer than the maximum of 24h",
      "99999h     | \"99999h\" is longer than the maximum of 24h",
  })
  void bad(String text, String problem) {
    Parsed p = Durations.parse(text);
    assertFalse(p.ok(), text);
    assertEquals(problem, p.problem().substring(0, Math.min(problem.length(), p.problem().length())), text);
  }

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
      "30, 30000",
      "0, 0",
      "600, 600000",
      "86400, 86400000",
      "30s, 30000",
      "500ms, 500",
      "1m30s, 90000",
  })
  void annotationGood(String text, long millis) {
    Parsed p = Durations.parseSecondsOrDuration(text);
    assertNull(p.problem(), text);
    assertEquals(millis, p.value(), text);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "''       | must not be empty",
      "30x      | invalid timeout \"30x\" (want seconds, e.g. \"30\", or a duration, e.g. \"30s\", \"500ms\" or \"1m30s\")",
      "1.5      | invalid timeout \"1.5\"",
      "-5       | invalid timeout \"-5\"",
      "60sec    | invalid timeout \"60sec\"",
      "123456   | invalid timeout \"123456\"",
      "86401    | \"86401\" is longer than the maximum of 24h",
      "25h      | \"25h\" is longer than the maximum of 24h",
  })
  void annotationBad(String text, String problem) {
    Parsed p = Durations.parseSecondsOrDuration(text);
    assertFalse(p.ok(), text);
    assertEquals(problem, p.problem().substring(0, Math.min(problem.length(), p.problem().length())), text);
  }

  /** What the CRD's pattern admits parses, unless it is out of range; what it refuses does not. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"0s", "1ms", "15s", "1h30m", "30s1m", "99999h", "1h1m1s1ms", "", "15", "1.5s", "1d",
      "100000ms", "1h1m1s1ms1h", "1S", " 1s", "ms"})
  void agreesWithTheCrdPattern(String text) {
    boolean schema = Pattern.compile(RouteTimeouts.DURATION_PATTERN).matcher(text).find();
    Parsed p = Durations.parse(text);
    if (schema) {
      assertTrue(p.ok() || p.problem().contains("longer than the maximum"), text + ": " + p.problem());
    } else {
      assertFalse(p.ok(), text);
    }
  }
}
