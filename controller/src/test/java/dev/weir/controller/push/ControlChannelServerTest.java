package dev.weir.controller.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.controller.pki.CertificateAuthority;
import dev.weir.controller.pki.Credentials;
import dev.weir.controller.report.ReplicaRegistry;
import dev.weir.controller.report.ReplicaState;
import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.SnapshotJson;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control-channel server on a real loopback socket over mutual TLS, driven by a hand-written peer speaking
 * the wire format (and once in plaintext, as {@code --insecure-control-channel} runs it).
 */
class ControlChannelServerTest {
  private static final java.time.Instant NOW = java.time.Instant.now();
  private static final CertificateAuthority CA = CertificateAuthority.generate(NOW);
  private static final Credentials CLIENT = CA.issueClient(NOW);
  private final SnapshotPublisher publisher = new SnapshotPublisher();
  private final ReplicaRegistry registry = new ReplicaRegistry();
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private ControlChannelServer server;

  @BeforeEach
  void start() throws Exception {
    server = new ControlChannelServer(publisher, registry, new TokenCheck(() -> "s3cret"),
        ServerTls.context(CA.issueServer(List.of("127.0.0.1"), NOW)), accepting::get, 200).start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void wrongTokenIsRefusedAndClosed() throws Exception {
    try (ControlPeer peer = peer()) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 0, "", "wrong"));
      var refused = assertInstanceOf(ChannelMessage.Refused.class, peer.receive());
      assertEquals("invalid token", refused.reason());
      assertTrue(peer.closedByServer());
    }
    assertTrue(registry.replicas().isEmpty());
  }

  @Test
  void otherProtocolIsRefusedWithReason() throws Exception {
    try (ControlPeer peer = peer()) {
      peer.send(new ChannelMessage.Hello(99, "dp-1", 0, "", "s3cret"));
      var refused = assertInstanceOf(ChannelMessage.Refused.class, peer.receive());
      assertTrue(refused.reason().contains("protocol 99"), refused.reason());
    }
  }

  @Test
  void followerRefusesSessions() throws Exception {
    accepting.set(false);
    try (ControlPeer peer = peer()) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 0, "", "s3cret"));
      var refused = assertInstanceOf(ChannelMessage.Refused.class, peer.receive());
      assertTrue(refused.reason().contains("not the leader"), refused.reason());
    }
  }

  @Test
  void helloGetsCurrentSnapshotThenEveryNewOneAndAcksAreRecorded() throws Exception {
    publisher.publish(snapshot("a"));
    try (ControlPeer peer = peer()) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 0, "", "s3cret"));
      var first = assertInstanceOf(ChannelMessage.Push.class, peer.receiveSkippingHeartbeats());
      assertEquals(1, first.snapshot().version());
      peer.send(new ChannelMessage.Ack(1));
      awaitReplica(s -> s.appliedVersion() == 1);

      publisher.publish(snapshot("a")); // same content: not published again
      publisher.publish(snapshot("b"));
      var second = assertInstanceOf(ChannelMessage.Push.class, peer.receiveSkippingHeartbeats());
      assertEquals(2, second.snapshot().version());
      peer.send(new ChannelMessage.Nack(2, "certificate web/shop-tls: bad PEM"));
      awaitReplica(s -> s.rejectedVersion() == 2 && s.rejectReason().contains("bad PEM") && s.appliedVersion() == 1);
    }
    awaitEmptyRegistry();
  }

  @Test
  void aReplicaThatKnowsANewerVersionRaisesTheFloor() throws Exception {
    publisher.publish(snapshot("a"));
    try (ControlPeer peer = peer()) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 41, "old", "s3cret"));
      var push = assertInstanceOf(ChannelMessage.Push.class, peer.receiveSkippingHeartbeats());
      assertEquals(42, push.snapshot().version(), "re-labelled above what the replica had");
      // What it applied under another controller does not count as applied here: only an ACK of ours does.
      awaitReplica(s -> s.appliedVersion() == 0);
      peer.send(new ChannelMessage.Report("dp-1", true, 41, "old", 0, 0, java.util.Map.of()));
      peer.send(new ChannelMessage.Ack(42));
      awaitReplica(s -> s.appliedVersion() == 42 && s.ready());
    }
  }

  @Test
  void silentPeerIsDroppedAfterThreeHeartbeats() throws Exception {
    try (ControlPeer peer = peer()) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 0, "", "s3cret"));
      awaitReplica(s -> true);
      // Read heartbeats but never answer: the server must give up after ~600 ms.
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!peer.closedByServer()) {
        assertTrue(System.nanoTime() < deadline, "server never closed a silent peer");
      }
    }
    awaitEmptyRegistry();
  }

  @Test
  void inPlaintextForTheInsecureFlagTheSameProtocolRuns() throws Exception {
    publisher.publish(snapshot("a"));
    try (ControlChannelServer plain = new ControlChannelServer(publisher, registry, new TokenCheck(() -> "s3cret"), null,
        accepting::get, 200).start("127.0.0.1", 0);
        ControlPeer peer = new ControlPeer(plain.port())) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 0, "", "wrong"));
      assertEquals("invalid token", assertInstanceOf(ChannelMessage.Refused.class, peer.receive()).reason());
    }
    try (ControlChannelServer plain = new ControlChannelServer(publisher, registry, new TokenCheck(() -> "s3cret"), null,
        accepting::get, 200).start("127.0.0.1", 0);
        ControlPeer peer = new ControlPeer(plain.port())) {
      peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "dp-1", 0, "", "s3cret"));
      assertEquals(1, assertInstanceOf(ChannelMessage.Push.class, peer.receiveSkippingHeartbeats()).snapshot().version());
    }
  }

  private ControlPeer peer() throws Exception {
    return ControlPeer.tls(server.port(), CLIENT, CA.certificate());
  }

  private void awaitReplica(java.util.function.Predicate<ReplicaState> p) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<ReplicaState> r = registry.replicas();
      if (r.size() == 1 && p.test(r.get(0))) return;
      Thread.sleep(10);
    }
    throw new AssertionError("replica state never matched: " + registry.replicas());
  }

  private void awaitEmptyRegistry() throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!registry.replicas().isEmpty()) {
      if (System.nanoTime() > deadline) throw new AssertionError("replica not removed: " + registry.replicas());
      Thread.sleep(10);
    }
  }

  static Snapshot snapshot(String marker) {
    return new Snapshot(0, "", List.of(), List.of(new Cluster("ns/" + marker + ":80", List.of(new Endpoint("127.0.0.1", 80)))),
        List.of()).withComputedHash();
  }
}
