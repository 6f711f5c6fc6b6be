package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.Snapshot;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A whole dataplane driven by a controller: pushes, NACKs, reports, and serving on through an outage. */
class DataplaneWithControllerTest {

  @Test
  void appliesPushesNacksBadOnesAndServesThroughAnOutage() throws Exception {
    try (EchoBackend one = EchoBackend.start("one");
        EchoBackend two = EchoBackend.start("two");
        FakeController controller = new FakeController(0)) {
      Snapshot v1 = new SnapshotBuilder(1).cluster("c", one.endpoint()).host("app.test").prefix("app", "/", "c").build();
      controller.onHello = h -> new ChannelMessage.Push(v1);
      DataplaneOptions options =
          DataplaneOptions.ephemeral()
              .controller("127.0.0.1", controller.port())
              .token("t0k")
              .replicaId("dp-x")
              .heartbeatInterval(Duration.ofMillis(200))
              .reportInterval(Duration.ofMillis(300))
              .build();
      try (Dataplane dp = Dataplane.start(options)) {
        ChannelMessage.Hello hello = controller.nextMessage(ChannelMessage.Hello.class);
        assertEquals("dp-x", hello.replicaId());
        assertEquals("t0k", hello.token());
        assertEquals(new ChannelMessage.Ack(1), controller.nextMessage(ChannelMessage.Ack.class));
        assertEquals("one", HttpTestClient.get(dp.httpPort(), "app.test", "/").echo("backend"));

        controller.send(new ChannelMessage.Push(new SnapshotBuilder(2).host("app.test").prefix("app", "/", "gone").build()));
        assertEquals(2, controller.nextMessage(ChannelMessage.Nack.class).version());
        assertEquals("one", HttpTestClient.get(dp.httpPort(), "app.test", "/").echo("backend"), "NACKed: still the old config");

        controller.send(new ChannelMessage.Push(new SnapshotBuilder(3).cluster("c", two.endpoint()).host("app.test").prefix("app", "/", "c").build()));
        assertEquals(new ChannelMessage.Ack(3), controller.nextMessage(ChannelMessage.Ack.class));
        assertEquals("two", HttpTestClient.get(dp.httpPort(), "app.test", "/").echo("backend"));
        ChannelMessage.Report report = controller.nextMessage(ChannelMessage.Report.class);
        Await.until("a report counting the requests", () -> {
          try {
            ChannelMessage.Report r = controller.nextMessage(ChannelMessage.Report.class);
            return r.routeRequests().getOrDefault("app", 0L) == 3 && r.requestsTotal() == 3 && r.appliedVersion() == 3 && r.ready();
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        });
        assertEquals("dp-x", report.replicaId());

        controller.close(); // the controller goes away
        Await.until("disconnected", () -> !dp.isControllerConnected());
        for (int i = 0; i < 3; i++) {
          assertEquals("two", HttpTestClient.get(dp.httpPort(), "app.test", "/").echo("backend"), "traffic goes on");
        }
        assertTrue(dp.config().isReady());
        assertFalse(dp.isControllerConnected());
      }
    }
  }
}
