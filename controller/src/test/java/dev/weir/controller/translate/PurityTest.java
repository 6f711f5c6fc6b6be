package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Translation is a pure function: its sources import no client, network, Netty, clock or randomness.
 * (Static checks only; the golden and determinism tests check the behaviour.)
 */
class PurityTest {
  static final Path SOURCES = Path.of("src", "main", "java", "dev", "weir", "controller", "translate");
  static final List<String> FORBIDDEN =
      List.of("io.fabric8.kubernetes.client.", "io.netty.", "java.time.Clock", "java.util.Random", "java.net.",
          "java.util.concurrent.", "java.lang.Thread", "java.io.File", "java.nio.file.");
  static final List<String> ALLOWED =
      List.of("io.fabric8.kubernetes.client.utils.Serialization",
          "io.fabric8.kubernetes.client.utils.KubernetesSerialization");

  @Test
  void importsNothingImpure() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).trim();
          for (String bad : FORBIDDEN) {
            boolean comment = line.startsWith("*") || line.startsWith("/*") || line.startsWith("//");
            if (!comment && line.contains(bad) && ALLOWED.stream().noneMatch(line::contains)) {
              violations.add(file.getFileName() + ":" + (i + 1) + ": " + line);
            }
          }
        }
      }
    }
    assertEquals(List.of(), violations, "translation must stay pure");
  }

  @Test
  void scansTheRightDirectory() {
    assertEquals(true, Files.isRegularFile(SOURCES.resolve("Translator.java")), SOURCES.toAbsolutePath().toString());
  }
}
