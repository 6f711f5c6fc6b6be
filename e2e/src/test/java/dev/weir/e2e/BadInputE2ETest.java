package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.fromBackend;
import static dev.weir.e2e.WeirSystem.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.PathMatch;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteMatch;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad routes get a clear status and lose nothing else. */
class BadInputE2ETest {
  static WeirSystem system;

  @BeforeAll
  static void start() throws Exception {
    system = WeirSystem.start(2);
    system.backend("healthy");
    system.apply(system.route("healthy", "healthy.example.com", "/", "healthy"));
    system.awaitEveryReplica("healthy.example.com", "/", fromBackend("healthy"), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() {
    if (system != null) system.close();
  }

  @Test
  void routeToMissingServiceIsReportedAndAnswers503WhileOthersServe() {
    system.apply(system.route("orphan", "orphan.example.com", "/", "no-such-service"));
    system.awaitCondition("orphan", "ResolvedRefs", c -> c.getStatus().equals("False"));
    var c = system.condition("orphan", "ResolvedRefs").orElseThrow();
    assertEquals("BackendNotFound", c.getReason());
    assertTrue(c.getMessage().contains("service " + system.namespace() + "/no-such-service not found"), c.getMessage());
    system.awaitEveryReplica("orphan.example.com", "/", status(503), Duration.ofSeconds(5));
    system.awaitEveryReplica("healthy.example.com", "/", fromBackend("healthy"), Duration.ofSeconds(1));
  }

  @Test
  void invalidRegexIsNotAcceptedButTheValidMatchIsServed() {
    system.backend("regex");
    ProxyRoute r = system.route("regex", "regex.example.com", "/ok", "regex");
    RouteMatch bad = new RouteMatch();
    bad.setPath(new PathMatch(PathMatch.Type.RegularExpression, "/items/(\\d+"));
    r.getSpec().getRules().get(0).getMatches().add(bad);
    system.apply(r);
    system.awaitCondition("regex", "Accepted", c -> c.getStatus().equals("False"));
    var c = system.condition("regex", "Accepted").orElseThrow();
    assertEquals("Invalid", c.getReason());
    assertTrue(c.getMessage().contains("spec.rules[0].matches[1].path.value"), c.getMessage());
    assertTrue(c.getMessage().contains("invalid regular expression"), c.getMessage());
    system.awaitEveryReplica("regex.example.com", "/ok", fromBackend("regex"), Duration.ofSeconds(5));
    system.awaitEveryReplica("regex.example.com", "/items/1", status(404), Duration.ofSeconds(1));
  }

  @Test
  void conflictingRoutesResolveToTheOlderAndTheLoserSaysWhy() throws Exception {
    system.backend("first");
    system.backend("second");
    system.apply(system.route("claim-first", "claim.example.com", "/", "first"));
    system.awaitCondition("claim-first", "Accepted", c -> c.getStatus().equals("True"));
    Thread.sleep(1100); // creationTimestamp has one-second resolution: make "older" unambiguous
    system.apply(system.route("claim-second", "claim.example.com", "/", "second"));
    system.awaitCondition("claim-second", "Accepted", c -> c.getStatus().equals("False"));
    var c = system.condition("claim-second", "Accepted").orElseThrow();
    assertEquals("Conflicted", c.getReason());
    assertTrue(c.getMessage().contains("ProxyRoute " + system.namespace() + "/claim-first"), c.getMessage());
    system.awaitEveryReplica("claim.example.com", "/", fromBackend("first"), Duration.ofSeconds(5));
    assertEquals("True", system.condition("claim-first", "Accepted").orElseThrow().getStatus());

    // When the winner goes away, the other route takes over.
    system.client().resource(system.get("claim-first")).delete();
    system.awaitEveryReplica("claim.example.com", "/", fromBackend("second"), Duration.ofSeconds(5));
    system.awaitCondition("claim-second", "Accepted", x -> x.getStatus().equals("True"));
  }
}
