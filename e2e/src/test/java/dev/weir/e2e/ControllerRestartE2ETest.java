package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.fromBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Static stability: dataplanes serve without a controller, survive their own restart, and resync. */
class ControllerRestartE2ETest {
  WeirSystem system;

  @BeforeEach
  void start() throws Exception {
    system = WeirSystem.start(2);
  }

  @AfterEach
  void stop() {
    if (system != null) system.close();
  }

  @Test
  void dataplanesKeepServingWithoutControllerAndARestartedControllerResyncsThem() throws Exception {
    system.backend("stable");
    system.apply(system.route("stable", "stable.example.com", "/", "stable"));
    system.awaitEveryReplica("stable.example.com", "/", fromBackend("stable"), Duration.ofSeconds(5));
    system.awaitCondition("stable", "Programmed", c -> c.getStatus().equals("True"));
    long before = system.dataplanes().get(0).config().appliedVersion();

    system.stopController();
    Await.until("replicas notice the controller is gone", Duration.ofSeconds(10),
        () -> system.dataplanes().stream().noneMatch(Dataplane::isControllerConnected));
    for (int i = 0; i < 20; i++) {
      for (Dataplane d : system.dataplanes()) {
        assertEquals("stable", system.get(d, "stable.example.com", "/").echo("backend"), "serving while controller is down");
      }
    }

    // A change made while the controller is down reaches the replicas once it is back.
    system.backend("later");
    system.apply(system.route("later", "later.example.com", "/", "later"));
    system.restartController();
    system.awaitEveryReplica("later.example.com", "/", fromBackend("later"), Duration.ofSeconds(10));
    system.awaitEveryReplica("stable.example.com", "/", fromBackend("stable"), Duration.ofSeconds(1));
    long after = system.dataplanes().get(0).config().appliedVersion();
    assertTrue(after > before, "versions keep growing across a controller restart: " + before + " -> " + after);
    system.awaitCondition("later", "Programmed", c -> c.getStatus().equals("True"));
  }

  @Test
  void aRestartedReplicaServesItsPersistedSnapshotBeforeAnyControllerAnswers() throws Exception {
    system.backend("persisted");
    system.apply(system.route("persisted", "persisted.example.com", "/", "persisted"));
    system.awaitEveryReplica("persisted.example.com", "/", fromBackend("persisted"), Duration.ofSeconds(5));
    Dataplane old = system.dataplanes().get(0);
    String id = old.replicaId();
    system.stopController();
    system.stopDataplane(old);

    Dataplane restarted = system.addDataplane(id, WeirSystem.TOKEN);
    assertTrue(restarted.config().isReady(), "ready from the persisted snapshot");
    assertFalse(restarted.isControllerConnected());
    assertEquals("persisted", system.get(restarted, "persisted.example.com", "/").echo("backend"));
  }
}
