package dev.weir.controller.translate;

import dev.weir.snapshot.Snapshot;
import java.util.Map;

/**
 * The snapshot (version 0, hash computed: the publisher assigns versions) and a verdict for every
 * ProxyRoute and Ingress of our class. Objects of another class get no verdict.
 */
public record TranslationResult(Snapshot snapshot, Map<ObjectRef, Verdict> verdicts) {
  public TranslationResult {
    verdicts = Map.copyOf(verdicts);
  }
}
