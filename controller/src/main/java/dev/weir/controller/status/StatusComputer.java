package dev.weir.controller.status;

import dev.weir.controller.report.ReplicaState;
import dev.weir.controller.translate.ConditionVerdict;
import dev.weir.crds.conditions.ConditionType;
import dev.weir.crds.conditions.Reason;
import dev.weir.crds.v1alpha1.DataplaneStatus;
import dev.weir.crds.v1alpha1.ProxyRouteStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Pure: the status a ProxyRoute should have, from its tracked verdict and the replicas' state.
 * {@code lastTransitionTime} is kept from the current status while a condition's status is unchanged,
 * so that re-computing never causes a write by itself.
 */
public final class StatusComputer {
  private StatusComputer() {}

  public static ProxyRouteStatus desired(
      ProgrammedTracker.Tracked tracked, List<ReplicaState> replicas, ProxyRouteStatus current, Instant now) {
    long generation = tracked.verdict().generation();
    List<Condition> conditions = new ArrayList<>();
    for (ConditionVerdict c : tracked.verdict().conditions()) {
      conditions.add(condition(c.type().name(), c.status(), c.reason().name(), c.message(), generation, current, now));
    }
    long since = tracked.sinceVersion();
    int total = replicas.size();
    int ready = (int) replicas.stream().filter(r -> r.appliedVersion() >= since).count();
    conditions.add(programmed(tracked, replicas, since, ready, total, generation, current, now));

    ProxyRouteStatus status = new ProxyRouteStatus();
    status.setObservedGeneration(generation);
    status.setConditions(conditions);
    status.setDataplanes(new DataplaneStatus(ready, total, since));
    return status;
  }

  private static Condition programmed(ProgrammedTracker.Tracked tracked, List<ReplicaState> replicas, long since,
      int ready, int total, long generation, ProxyRouteStatus current, Instant now) {
    String type = ConditionType.Programmed.name();
    if (tracked.verdict().routeNames().isEmpty()) {
      return condition(type, false, Reason.Invalid.name(), "no part of this route could be programmed; see Accepted",
          generation, current, now);
    }
    if (total == 0) {
      return condition(type, false, Reason.NoDataplanes.name(), "no dataplane replica is connected", generation, current, now);
    }
    if (ready == total) {
      return condition(type, true, Reason.Programmed.name(),
          ready + "/" + total + " dataplane replicas at version " + since + " or newer", generation, current, now);
    }
    for (ReplicaState r : replicas) {
      if (r.appliedVersion() < since && r.rejectedVersion() >= since) {
        return condition(type, false, Reason.Rejected.name(),
            "dataplane " + r.replicaId() + " rejected snapshot version " + r.rejectedVersion() + ": " + r.rejectReason()
                + " (it keeps serving version " + r.appliedVersion() + ")",
            generation, current, now);
      }
    }
    return condition(type, false, Reason.Pending.name(),
        ready + "/" + total + " dataplane replicas at version " + since + " or newer", generation, current, now);
  }

  private static Condition condition(String type, boolean status, String reason, String message, long generation,
      ProxyRouteStatus current, Instant now) {
    String s = status ? "True" : "False";
    String transition = now.toString();
    if (current != null && current.getConditions() != null) {
      for (Condition c : current.getConditions()) {
        if (type.equals(c.getType()) && s.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
          transition = c.getLastTransitionTime();
        }
      }
    }
    return new ConditionBuilder().withType(type).withStatus(s).withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(transition).build();
  }

  /** Equal for the purpose of "should we write": every field but nothing volatile. */
  public static boolean same(ProxyRouteStatus a, ProxyRouteStatus b) {
    return Objects.equals(a, b);
  }
}
