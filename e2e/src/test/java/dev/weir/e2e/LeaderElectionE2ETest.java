package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.fromBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.controller.app.ControllerOptions;
import dev.weir.controller.app.WeirController;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two controller replicas with a Lease: both are ready, only the leader serves dataplanes and writes
 * status, and when it goes away the other takes over without the dataplanes dropping traffic.
 */
class LeaderElectionE2ETest {
  WeirSystem system; // its own controller is stopped: this test runs two of its own
  WeirController first;
  WeirController second;

  @BeforeEach
  void start() throws Exception {
    system = WeirSystem.start(0);
    system.stopController();
  }

  @AfterEach
  void stop() {
    if (first != null) first.close();
    if (second != null) second.close();
    system.close();
  }

  private WeirController controller(String identity) throws Exception {
    return WeirController.start(ControllerOptions.defaults()
        .withPorts(0, 0)
        .withCaDir(system.caDir())
        .withToken(WeirSystem.TOKEN)
        .withHeartbeatMillis(500)
        .withWatchNamespaces(Set.of(system.namespace()))
        .withStatusAddresses(List.of("127.0.0.1"))
        .withLease(system.namespace(), "weir-controller")
        .withLeaderElection(true, identity), system.client());
  }

  @Test
  void onlyTheLeaderServesDataplanesAndTheFollowerTakesOver() throws Exception {
    first = controller("controller-a");
    Await.until("controller-a leads", Duration.ofSeconds(15), first::isLeader);
    second = controller("controller-b");
    assertTrue(second.isReady(), "a follower is ready (synced) too");
    assertFalse(second.isLeader());

    system.backend("led");
    system.apply(system.route("led", "led.example.com", "/", "led"));

    // A replica sent to the follower is refused and never gets a snapshot from it.
    Dataplane misdirected = Dataplane.start(system.options("misdirected", WeirSystem.TOKEN)
        .controller("127.0.0.1", second.controlPort()).build());
    Dataplane served = Dataplane.start(system.options("served", WeirSystem.TOKEN)
        .controller("127.0.0.1", first.controlPort()).build());
    try {
      Await.until("served replica routes", Duration.ofSeconds(10),
          () -> "led".equals(system.get(served, "led.example.com", "/").echo("backend")));
      assertFalse(misdirected.isControllerConnected());
      assertTrue(second.registry().replicas().isEmpty());
      system.awaitCondition("led", "Programmed", c -> c.getStatus().equals("True") && c.getMessage().startsWith("1/1"));

      // The leader goes away: it releases the Lease, the follower takes over and now serves the other replica.
      first.close();
      first = null;
      Await.until("controller-b leads", Duration.ofSeconds(20), second::isLeader);
      Await.until("the replica refused before is now served", Duration.ofSeconds(15),
          () -> "led".equals(system.get(misdirected, "led.example.com", "/").echo("backend")));
      assertEquals("led", system.get(served, "led.example.com", "/").echo("backend"), "kept serving meanwhile");
      system.awaitCondition("led", "Programmed",
          c -> c.getStatus().equals("True") && c.getMessage().startsWith("1/1"));
    } finally {
      misdirected.close();
      served.close();
    }
  }
}
