package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weir.controller.index.ResourceIndex;
import dev.weir.snapshot.SnapshotJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The order of the index's lists must not matter: shuffled input → byte-equal snapshot and equal verdicts. */
class DeterminismTest {

  static List<String> cases() throws Exception {
    return GoldenTest.cases().toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shuffledInputGivesTheSameResult(String name) {
    ResourceIndex index = Fixtures.load(Fixtures.DIR.resolve(name + GoldenTest.IN));
    TranslationResult expected = Fixtures.translate(index);
    Random random = new Random(name.hashCode());
    for (int i = 0; i < 5; i++) {
      ResourceIndex shuffled = new ResourceIndex(
          shuffle(index.proxyRoutes(), random),
          shuffle(index.ingresses(), random),
          shuffle(index.ingressClasses(), random),
          shuffle(index.services(), random),
          shuffle(index.endpointSlices(), random),
          shuffle(index.secrets(), random));
      TranslationResult actual = Fixtures.translate(shuffled);
      assertEquals(expected.snapshot().hash(), actual.snapshot().hash());
      assertEquals(
          new String(SnapshotJson.writeSnapshot(expected.snapshot())),
          new String(SnapshotJson.writeSnapshot(actual.snapshot())));
      assertEquals(expected.verdicts(), actual.verdicts());
    }
  }

  private static <T> List<T> shuffle(List<T> list, Random random) {
    List<T> copy = new ArrayList<>(list);
    Collections.shuffle(copy, random);
    return copy;
  }
}
