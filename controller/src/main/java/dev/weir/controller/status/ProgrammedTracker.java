package dev.weir.controller.status;

import dev.weir.controller.translate.ObjectRef;
import dev.weir.controller.translate.TranslationResult;
import dev.weir.controller.translate.Verdict;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers, for each route object, the first snapshot version that carried its current verdict
 * (generation, conditions and contributed routes). A replica has programmed the object once it has
 * applied that version or a newer one; versions only grow, so "newer" includes re-labelled ones.
 */
public final class ProgrammedTracker {
  /** The verdict as translated and the first version that included it. */
  public record Tracked(Verdict verdict, long sinceVersion) {}

  private Map<ObjectRef, Tracked> tracked = Map.of(); // replaced wholesale, read without locks

  /** Called after each translation with the version now current (new, or unchanged when the content was equal). */
  public synchronized void onTranslation(TranslationResult result, long currentVersion) {
    Map<ObjectRef, Tracked> next = new HashMap<>();
    for (Verdict v : result.verdicts().values()) {
      Tracked before = tracked.get(v.ref());
      boolean same = before != null && before.verdict().equals(v);
      next.put(v.ref(), same ? before : new Tracked(v, currentVersion));
    }
    tracked = Map.copyOf(next);
  }

  public Optional<Tracked> get(ObjectRef ref) {
    return Optional.ofNullable(tracked.get(ref));
  }

  public boolean isEmpty() {
    return tracked.isEmpty();
  }
}
