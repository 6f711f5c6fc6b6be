package dev.weir.dataplane.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedPickerTest {

  @Test
  void isSmoothLikeNginx() {
    // nginx's documented example: weights 5,1,1 give a a b a c a a (not a a a a a b c).
    WeightedPicker<String> p = new WeightedPicker<>(List.of("a", "b", "c"), List.of(5, 1, 1));
    List<String> seq = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      seq.add(p.pick());
    }
    assertEquals(List.of("a", "a", "b", "a", "c", "a", "a"), seq);
  }

  @Test
  void zeroWeightIsNeverPicked() {
    WeightedPicker<String> p = new WeightedPicker<>(List.of("a", "b"), List.of(0, 2));
    for (int i = 0; i < 10; i++) {
      assertEquals("b", p.pick());
    }
  }

  @Test
  void equalWeightsAlternate() {
    WeightedPicker<String> p = new WeightedPicker<>(List.of("a", "b"), List.of(1, 1));
    assertEquals(List.of("a", "b", "a", "b"), List.of(p.pick(), p.pick(), p.pick(), p.pick()));
  }

  @Test
  void emptyPicksNull() {
    WeightedPicker<String> p = new WeightedPicker<>(List.of("a"), List.of(0));
    assertTrue(p.isEmpty());
    assertNull(p.pick());
    assertNull(new WeightedPicker<String>(List.of(), List.of()).pick());
  }

  @Test
  void exactSharesUnderConcurrency() throws Exception {
    WeightedPicker<String> p = new WeightedPicker<>(List.of("a", "b"), List.of(9, 1));
    java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> counts = new java.util.concurrent.ConcurrentHashMap<>();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 2_500; i++) {
          counts.computeIfAbsent(p.pick(), k -> new java.util.concurrent.atomic.LongAdder()).increment();
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(9_000, counts.get("a").sum());
    assertEquals(1_000, counts.get("b").sum());
  }
}
