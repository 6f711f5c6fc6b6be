package dev.weir.controller.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {
  @Test
  void versionsGrowAndEqualContentIsNotPublishedTwice() {
    SnapshotPublisher p = new SnapshotPublisher();
    List<Long> seen = new ArrayList<>();
    p.subscribe(s -> seen.add(s.version()));
    assertEquals(1, p.publish(ControlChannelServerTest.snapshot("a")).orElseThrow().version());
    assertTrue(p.publish(ControlChannelServerTest.snapshot("a")).isEmpty());
    assertEquals(2, p.publish(ControlChannelServerTest.snapshot("b")).orElseThrow().version());
    assertEquals(List.of(1L, 2L), seen);
  }

  @Test
  void floorFromAPreviousControllerIsRespected() {
    SnapshotPublisher p = new SnapshotPublisher();
    p.raiseFloor(100);
    assertEquals(101, p.publish(ControlChannelServerTest.snapshot("a")).orElseThrow().version());
    p.raiseFloor(50); // lower: no effect
    assertEquals(102, p.publish(ControlChannelServerTest.snapshot("b")).orElseThrow().version());
  }

  @Test
  void currentIsRelabelledWhenAReplicaHasSeenHigher() {
    SnapshotPublisher p = new SnapshotPublisher();
    List<Long> seen = new ArrayList<>();
    p.subscribe(s -> seen.add(s.version()));
    p.publish(ControlChannelServerTest.snapshot("a"));
    p.raiseFloor(7);
    assertEquals(8, p.current().orElseThrow().version());
    assertEquals(List.of(1L, 8L), seen);
    p.raiseFloor(8); // equal to current: nothing to do
    assertEquals(List.of(1L, 8L), seen);
  }
}
