package dev.weir.controller.translate;

import dev.weir.snapshot.Snapshot;
import java.util.List;
import java.util.Map;

/**
 * The snapshot (version 0, hash computed: the publisher assigns versions) and a verdict for every
 * ProxyRoute and Ingress of our class. Objects of another class get no verdict.
 *
 * @param problems what is wrong with the controller's own settings (e.g. an unusable default
 *     certificate): there is no object to put a condition on, so the controller logs these
 */
public record TranslationResult(Snapshot snapshot, Map<ObjectRef, Verdict> verdicts, List<Problem> problems) {
  /**
   * A problem of the controller's settings, and the object it concerns (e.g. the default certificate's Secret).
   *
   * @param namespace null when the setting names no namespace
   */
  public record Problem(String kind, String namespace, String name, String message) {
    @Override
    public String toString() {
      return message;
    }
  }

  public TranslationResult {
    verdicts = Map.copyOf(verdicts);
    problems = List.copyOf(problems);
  }

  public TranslationResult(Snapshot snapshot, Map<ObjectRef, Verdict> verdicts) {
    this(snapshot, verdicts, List.of());
  }
}
