package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven golden tests: each {@code <case>.in.yaml} under src/test/resources/translate holds the
 * Kubernetes objects, {@code <case>.out.yaml} the expected snapshot and verdicts. Run with
 * {@code -Dgolden.update=true} to rewrite the out files, then review the diff: the out files are the spec.
 */
class GoldenTest {
  static final String IN = ".in.yaml";
  static final String OUT = ".out.yaml";

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(Fixtures.DIR)) {
      List<String> names = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(IN))
          .map(n -> n.substring(0, n.length() - IN.length()))
          .sorted()
          .toList();
      return names.stream();
    }
  }

  @Test
  void thereAreCases() throws IOException {
    assertFalse(cases().toList().isEmpty(), "no fixtures found in " + Fixtures.DIR.toAbsolutePath());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translatesAsRecorded(String name) throws IOException {
    TranslationResult result =
        Fixtures.translate(Fixtures.load(Fixtures.DIR.resolve(name + IN)));
    String actual = Fixtures.render(result);
    Path out = Fixtures.DIR.resolve(name + OUT);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(out, actual);
      return;
    }
    assertEquals(Files.exists(out) ? Files.readString(out) : "<missing " + out + ">", actual,
        "translation of " + name + IN + " differs; rerun with -Dgolden.update=true and review the diff");
  }
}
