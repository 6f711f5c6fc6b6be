package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.RouteRule;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
      "0, 0",
      "1, 1",
      "1048576, 1048576",
      "512k, 512000",
      "10M, 10000000",
      "1G, 1000000000",
      "1T, 1000000000000",
      "1P, 1000000000000000",
      "1Ki, 1024",
      "1Mi, 1048576",
      "1Gi, 1073741824",
      "1Ti, 1099511627776",
      "8Pi, 9007199254740992",     // 2^53, the maximum
      "1.5Mi, 1572864",
      "0.5k, 500",
      "2.00, 2",                   // a fraction of zeros is a whole number
      "9007199254740992, 9007199254740992",
      "0Ei, 0",
  })
  void good(String text, long bytes) {
    Parsed p = Quantities.parseBytes(text);
    assertNull(p.problem(), text);
    assertEquals(bytes, p.value(), text);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "''                | must not be empty",
      "abc               | invalid size \"abc\" (want a Kubernetes quantity of bytes, e.g. 512k, 10M, 1Mi or 1048576)",
      "8m                | invalid size \"8m\": \"m\" means milli in a Kubernetes quantity, write \"8Mi\" for mebibytes",
      "1.5m              | invalid size \"1.5m\": \"m\" means milli",
      "1K                | invalid size \"1K\"",        // decimal kilo is lower-case k
      "1ki               | invalid size \"1ki\"",
      "1MB               | invalid size \"1MB\"",
      "1e6               | invalid size \"1e6\"",
      "-1                | invalid size \"-1\"",
      "+1                | invalid size \"+1\"",
      ".5                | invalid size \".5\"",
      "1.                | invalid size \"1.\"",
      "' 1Mi'            | invalid size \" 1Mi\"",
      "1 Mi              | invalid size \"1 Mi\"",
      "1.5               | size \"1.5\" is not a whole number of bytes",
      "1.0001k           | size \"1.0001k\" is not a whole number of bytes",
      "1.1Ki             | size \"1.1Ki\" is not a whole number of bytes",
      "9007199254740993  | size \"9007199254740993\" is larger than the maximum of 2^53 bytes",
      "9Pi               | size \"9Pi\" is larger than the maximum of 2^53 bytes",
      "1E                | size \"1E\" is larger than the maximum of 2^53 bytes",
      "16Ei              | size \"16Ei\" is larger than the maximum of 2^53 bytes",
      "99999999999999999999999999 | size \"99999999999999999999999999\" is larger than the maximum of 2^53 bytes",
  })
  void bad(String text, String problem) {
    Parsed p = Quantities.parseBytes(text);
    assertFalse(p.ok(), text);
    assertEquals(problem, p.problem().substring(0, Math.min(problem.length(), p.problem().length())), text);
  }

  /** What the CRD's pattern admits parses, unless it is fractional or too large; what it refuses does not. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"0", "1048576", "512k", "10M", "1Mi", "1.5Gi", "1.5", "9Pi", "16Ei", "", "8m", "1K",
      "1MB", "1e6", "-1", ".5", "1.", "1 Mi", "abc"})
  void agreesWithTheCrdPattern(String text) {
    boolean schema = Pattern.compile(RouteRule.MAX_BODY_SIZE_PATTERN).matcher(text).find();
    Parsed p = Quantities.parseBytes(text);
    if (schema) {
      assertTrue(p.ok() || p.problem().contains("not a whole number") || p.problem().contains("larger than"),
          text + ": " + p.problem());
    } else {
      assertFalse(p.ok(), text);
    }
  }
}
