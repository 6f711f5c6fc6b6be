package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.snapshot.Route;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The manifests in {@code examples/}, which local mode applies and the README walks through, translate
 * without a single problem: every object Accepted with all references resolved.
 */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("..", "examples");

  private static TranslationResult translateAll() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        all.append("---\n").append(Files.readString(f)).append('\n');
      }
    }
    return Fixtures.translate(Fixtures.parse(all.toString()));
  }

  @Test
  void everyExampleIsAcceptedWithItsReferencesResolved() throws IOException {
    TranslationResult result = translateAll();
    assertFalse(result.verdicts().isEmpty(), "no examples found in " + EXAMPLES.toAbsolutePath());
    assertEquals(List.of(), result.problems());
    for (Verdict v : result.verdicts().values()) {
      for (ConditionVerdict c : v.conditions()) {
        assertTrue(c.status(), v.ref() + " " + c.type() + ": " + c.message());
      }
      assertFalse(v.routeNames().isEmpty(), v.ref() + " programs no route");
    }
  }

  @Test
  void theCacheExampleCachesAndCompresses() throws IOException {
    List<Route> routes = translateAll().snapshot().virtualHosts().stream()
        .filter(h -> h.host().equals("cache.example.com"))
        .flatMap(h -> h.routes().stream())
        .toList();
    assertEquals(1, routes.size());
    Route r = routes.get(0);
    assertNotNull(r.cache());
    assertEquals(512 * 1024, r.cache().objectLimit());
    assertEquals(List.of("/"), r.cache().purge().paths());
    assertEquals(List.of("br", "gzip"), r.compression().offered());
    assertEquals(64, r.compression().minimum());
  }
}
