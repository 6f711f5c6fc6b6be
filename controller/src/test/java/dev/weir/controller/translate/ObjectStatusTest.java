package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weir.crds.conditions.ConditionType;
import dev.weir.crds.conditions.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectStatusTest {
  static final ObjectRef REF = new ObjectRef(ObjectRef.PROXY_ROUTE, "web", "shop");

  @Test
  void allIsWell() {
    ObjectStatus s = new ObjectStatus(new OwnerAge(null, REF), 3L);
    s.programmed("b");
    s.programmed("a");
    s.programmed("a");
    Verdict v = s.toVerdict();
    assertEquals(3L, v.generation());
    assertEquals(List.of(
        new ConditionVerdict(ConditionType.Accepted, true, Reason.Accepted, "accepted"),
        new ConditionVerdict(ConditionType.ResolvedRefs, true, Reason.ResolvedRefs, "all references resolved")),
        v.conditions());
    assertEquals(List.of("a", "b"), v.routeNames());
  }

  @Test
  void problemsGoToTheirConditionFirstReasonWinsMessagesJoinOnce() {
    ObjectStatus s = new ObjectStatus(new OwnerAge(null, REF), null);
    s.problem(Reason.PortNotFound, "p");
    s.problem(Reason.Invalid, "i");
    s.problem(Reason.BackendNotFound, "b");
    s.problem(Reason.Conflicted, "c");
    s.problem(Reason.Invalid, "i");
    Verdict v = s.toVerdict();
    assertEquals(0L, v.generation());
    assertEquals(new ConditionVerdict(ConditionType.Accepted, false, Reason.Invalid, "i; c"), v.conditions().get(0));
    assertEquals(new ConditionVerdict(ConditionType.ResolvedRefs, false, Reason.PortNotFound, "p; b"),
        v.conditions().get(1));
  }

  @Test
  void ageComparesTimestampsAcrossOffsetsAndPutsMissingOnesLast() {
    OwnerAge utc = OwnerAge.of(REF, meta("2024-01-01T10:00:00Z"));
    OwnerAge earlierWithOffset = OwnerAge.of(new ObjectRef("Ingress", "z", "z"), meta("2024-01-01T11:00:00+02:00"));
    OwnerAge missing = OwnerAge.of(new ObjectRef("Ingress", "a", "a"), meta(null));
    OwnerAge garbage = OwnerAge.of(new ObjectRef("Ingress", "b", "b"), meta("yesterday"));
    List<OwnerAge> sorted = java.util.stream.Stream.of(garbage, missing, utc, earlierWithOffset).sorted().toList();
    assertEquals(List.of(earlierWithOffset, utc, missing, garbage), sorted);
  }

  private static io.fabric8.kubernetes.api.model.ObjectMeta meta(String timestamp) {
    io.fabric8.kubernetes.api.model.ObjectMeta m = new io.fabric8.kubernetes.api.model.ObjectMeta();
    m.setCreationTimestamp(timestamp);
    return m;
  }
}
