package dev.weir.dataplane.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * Smooth weighted round robin (the nginx algorithm): over any window of {@code sum(weights)} picks,
 * each item is chosen exactly {@code weight} times, and picks of one item are spread out instead of
 * bunched. Items with weight 0 are never chosen.
 *
 * <p>Shared by every event loop that serves the route, hence the lock; it guards a few integer
 * additions over (usually) one to three items. A single item needs no lock at all.
 */
public final class WeightedPicker<T> {

  private final List<T> items;
  private final int[] weights;
  private final long[] current;
  private final long total;

  public WeightedPicker(List<T> items, List<Integer> weights) {
    if (items.size() != weights.size()) {
      throw new IllegalArgumentException("items and weights differ in size");
    }
    List<T> kept = new ArrayList<>();
    List<Integer> keptWeights = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (weights.get(i) > 0) {
        kept.add(items.get(i));
        keptWeights.add(weights.get(i));
      }
    }
    this.items = List.copyOf(kept);
    this.weights = keptWeights.stream().mapToInt(Integer::intValue).toArray();
    this.current = new long[this.weights.length];
    long sum = 0;
    for (int w : this.weights) {
      sum += w;
    }
    this.total = sum;
  }

  /** True when nothing can ever be picked (no items, or all weights 0). */
  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** The items that can be picked, in their original order. */
  public List<T> items() {
    return items;
  }

  /** The next item, or null when {@link #isEmpty()}. */
  public T pick() {
    if (items.size() <= 1) {
      return items.isEmpty() ? null : items.get(0);
    }
    synchronized (current) {
      int best = 0;
      for (int i = 0; i < weights.length; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      return items.get(best);
    }
  }
}
