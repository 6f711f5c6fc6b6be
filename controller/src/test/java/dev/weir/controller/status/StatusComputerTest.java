package dev.weir.controller.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.controller.report.ReplicaState;
import dev.weir.controller.translate.ConditionVerdict;
import dev.weir.controller.translate.ObjectRef;
import dev.weir.controller.translate.Verdict;
import dev.weir.crds.conditions.ConditionType;
import dev.weir.crds.conditions.Reason;
import dev.weir.crds.v1alpha1.ProxyRouteStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusComputerTest {
  private static final ObjectRef REF = new ObjectRef(ObjectRef.PROXY_ROUTE, "web", "shop");
  private static final Verdict OK = new Verdict(REF, 3,
      List.of(new ConditionVerdict(ConditionType.Accepted, true, Reason.Accepted, "accepted"),
          new ConditionVerdict(ConditionType.ResolvedRefs, true, Reason.ResolvedRefs, "all references resolved")),
      List.of("proxyroute/web/shop/r0/m0"));
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-25T10:05:00Z");

  private static ReplicaState replica(String id, long applied, long rejected, String reason) {
    return new ReplicaState(id, true, applied, rejected, reason, 0);
  }

  private static Condition programmed(ProxyRouteStatus s) {
    return s.getConditions().stream().filter(c -> c.getType().equals("Programmed")).findFirst().orElseThrow();
  }

  @Test
  void programmedOnlyWhenEveryReplicaHasTheVersion() {
    var tracked = new ProgrammedTracker.Tracked(OK, 42);
    var partial = StatusComputer.desired(tracked, List.of(replica("a", 42, 0, null), replica("b", 41, 0, null)), null, T0);
    assertEquals("False", programmed(partial).getStatus());
    assertEquals("Pending", programmed(partial).getReason());
    assertEquals(1, partial.getDataplanes().getReady());
    assertEquals(2, partial.getDataplanes().getTotal());

    var all = StatusComputer.desired(tracked, List.of(replica("a", 42, 0, null), replica("b", 43, 0, null)), partial, T1);
    assertEquals("True", programmed(all).getStatus());
    assertEquals("2/2 dataplane replicas at version 42 or newer", programmed(all).getMessage());
    assertEquals(3L, all.getObservedGeneration());
    assertEquals(3L, programmed(all).getObservedGeneration());
    assertEquals("2/2", all.getDataplanes().getSummary());
    assertEquals(T1.toString(), programmed(all).getLastTransitionTime(), "Programmed flipped at T1");
  }

  @Test
  void recomputingWithoutChangeGivesAnEqualStatusSoNothingIsWritten() {
    var tracked = new ProgrammedTracker.Tracked(OK, 42);
    var replicas = List.of(replica("a", 42, 0, null));
    var first = StatusComputer.desired(tracked, replicas, null, T0);
    var again = StatusComputer.desired(tracked, replicas, first, T1);
    assertTrue(StatusComputer.same(first, again));
  }

  @Test
  void rejectionIsReportedWithTheReplicasReason() {
    var tracked = new ProgrammedTracker.Tracked(OK, 42);
    var s = StatusComputer.desired(tracked, List.of(replica("a", 41, 42, "bad certificate")), null, T0);
    assertEquals("Rejected", programmed(s).getReason());
    assertTrue(programmed(s).getMessage().contains("dataplane a rejected snapshot version 42: bad certificate"),
        programmed(s).getMessage());
  }

  @Test
  void noReplicasMeansNotProgrammed() {
    var s = StatusComputer.desired(new ProgrammedTracker.Tracked(OK, 1), List.of(), null, T0);
    assertEquals("NoDataplanes", programmed(s).getReason());
  }

  @Test
  void trackerKeepsTheFirstVersionOfAnUnchangedVerdict() {
    ProgrammedTracker t = new ProgrammedTracker();
    var result = new dev.weir.controller.translate.TranslationResult(dev.weir.snapshot.Snapshot.empty(),
        java.util.Map.of(REF, OK));
    t.onTranslation(result, 5);
    t.onTranslation(result, 9); // e.g. endpoints changed elsewhere
    assertEquals(5, t.get(REF).orElseThrow().sinceVersion());
    Verdict newGeneration = new Verdict(REF, 4, OK.conditions(), OK.routeNames());
    t.onTranslation(new dev.weir.controller.translate.TranslationResult(dev.weir.snapshot.Snapshot.empty(),
        java.util.Map.of(REF, newGeneration)), 10);
    assertEquals(10, t.get(REF).orElseThrow().sinceVersion());
  }
}
