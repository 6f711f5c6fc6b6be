package dev.weir.controller.translate;

import java.util.List;

/**
 * Translation's judgement of one object at one generation.
 *
 * @param conditions Accepted and ResolvedRefs (Programmed comes from dataplane reports, not translation)
 * @param routeNames names of the snapshot routes this object contributed (empty when nothing was programmable)
 */
public record Verdict(ObjectRef ref, long generation, List<ConditionVerdict> conditions, List<String> routeNames) {
  public Verdict {
    conditions = List.copyOf(conditions);
    routeNames = List.copyOf(routeNames);
  }
}
