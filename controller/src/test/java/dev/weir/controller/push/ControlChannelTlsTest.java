package dev.weir.controller.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.controller.pki.CertificateAuthority;
import dev.weir.controller.pki.Credentials;
import dev.weir.controller.report.ReplicaRegistry;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.Await;
import dev.weir.snapshot.ChannelMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on the control channel with real handshakes on 127.0.0.1: the controller's server against real
 * dataplanes (and a JDK TLS peer where a dataplane cannot be made to misbehave), with CAs generated here.
 */
class ControlChannelTlsTest {
  private static final Instant NOW = Instant.now();
  private static final CertificateAuthority CA = CertificateAuthority.generate(NOW);
  private static final CertificateAuthority OTHER_CA = CertificateAuthority.generate(NOW);

  @TempDir Path dir;
  private final SnapshotPublisher publisher = new SnapshotPublisher();
  private final ReplicaRegistry registry = new ReplicaRegistry();
  private final List<AutoCloseable> open = new ArrayList<>();
  private ControlChannelServer server;

  @BeforeEach
  void start() throws Exception {
    publisher.publish(ControlChannelServerTest.snapshot("a"));
    server = server(List.of("weir-controller", "localhost", "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
  }

  @Test
  void aDataplaneWithValidCredentialsGetsTheSnapshotAndAcks() throws Exception {
    Dataplane d = dataplane(tlsDir("valid", CA.issueClient(NOW), CA));
    awaitAcked(d);
    assertEquals(0, server.refusedHandshakes());
  }

  @Test
  void aPeerWithoutClientCertificateNeverReachesTheSession() throws Exception {
    // TLS 1.3: the client's side of the handshake may finish before the server checks (and refuses) it, so the
    // refusal shows either in the handshake or as an alert on the first read; never as a push.
    assertThrows(IOException.class, () -> {
      try (ControlPeer peer = ControlPeer.tls(server.port(), null, CA.certificate())) {
        peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "no-cert", 0, "", ""));
        ChannelMessage m = peer.receive();
        throw new AssertionError("a peer without certificate got " + m);
      }
    });
    Await.until("handshake refused", () -> server.refusedHandshakes() == 1);
    assertTrue(registry.replicas().isEmpty());
  }

  @Test
  void aPlaintextPeerIsRefusedWithoutAnAnswer() throws Exception {
    byte[] hello = dev.weir.snapshot.SnapshotJson.encode(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "plain", 0, "", ""));
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      var out = new java.io.DataOutputStream(socket.getOutputStream());
      out.writeInt(hello.length);
      out.write(hello);
      out.flush();
      // Read raw (what comes back, if anything, is at most a TLS alert, not a frame) until the server closes.
      byte[] answer = socket.getInputStream().readAllBytes();
      assertTrue(answer.length < 16, "no frame for a plaintext peer, got " + answer.length + " bytes");
    }
    Await.until("refused", () -> server.refusedHandshakes() == 1);
    assertTrue(registry.replicas().isEmpty());
  }

  @Test
  void aDataplaneWithACertificateFromAnotherCaIsRefused() throws Exception {
    Dataplane d = dataplane(tlsDir("other-ca", OTHER_CA.issueClient(NOW), CA));
    assertNeverServed(d);
  }

  @Test
  void aDataplaneWithAnExpiredCertificateIsRefused() throws Exception {
    Credentials expired = CA.issueClient(NOW.minus(Duration.ofDays(400)));
    assertTrue(expired.remaining(NOW).isNegative());
    Dataplane d = dataplane(tlsDir("expired", expired, CA));
    assertNeverServed(d);
  }

  @Test
  void aCertificateTheCaIssuedForSomethingElseIsRefused() throws Exception {
    // A user-provided CA may sign more than dataplanes: only CN=weir-dataplane client certificates get in.
    Credentials server = CA.issueServer(List.of("other-service"), NOW);
    assertThrows(IOException.class, () -> {
      try (ControlPeer peer = ControlPeer.tls(this.server.port(), server, CA.certificate())) {
        peer.send(new ChannelMessage.Hello(ChannelMessage.PROTOCOL, "impostor", 0, "", ""));
        throw new AssertionError("got " + peer.receive());
      }
    });
    Await.until("refused", () -> this.server.refusedHandshakes() >= 1);
    assertTrue(registry.replicas().isEmpty());
  }

  @Test
  void aDataplaneRefusesAControllerCertificateFromAnotherCa() throws Exception {
    // Its ca.crt is another CA's: the controller's certificate (from CA) does not chain to it.
    Dataplane d = dataplane(tlsDir("trusts-other", CA.issueClient(NOW), OTHER_CA));
    assertNeverServed(d);
  }

  @Test
  void aDataplaneRefusesAControllerCertificateForAnotherHost() throws Exception {
    ControlChannelServer elsewhere = server(List.of("weir-controller.example"));
    Dataplane d = dataplane(tlsDir("valid", CA.issueClient(NOW), CA), elsewhere.port());
    Await.until("dataplane refused the controller", () -> elsewhere.refusedHandshakes() >= 2);
    assertEquals(0, d.report().appliedVersion());
    assertTrue(registry.replicas().isEmpty());

    // A renewed server certificate (what the controller's periodic renewal swaps in) serves the next connection.
    elsewhere.useTls(ServerTls.context(CA.issueServer(List.of("127.0.0.1"), NOW)));
    awaitAcked(d);
  }

  @Test
  void renewedFilesArePickedUpOnTheNextReconnect() throws Exception {
    Path tls = tlsDir("renewed", OTHER_CA.issueClient(NOW), CA);
    Dataplane d = dataplane(tls);
    Await.until("first attempt refused", () -> server.refusedHandshakes() >= 1);
    assertEquals(0, d.report().appliedVersion());
    write(tls, CA.issueClient(NOW), CA); // what the controller does when it re-issues
    awaitAcked(d);
  }

  /** Two refusals in a row (so the dataplane did retry), and no snapshot ever reached it. */
  private void assertNeverServed(Dataplane d) {
    Await.until("two refused handshakes", () -> server.refusedHandshakes() >= 2);
    assertEquals(0, d.report().appliedVersion(), "a refused dataplane must not have a snapshot");
    assertTrue(registry.replicas().isEmpty());
  }

  private void awaitAcked(Dataplane d) {
    Await.until("dataplane applied version 1", () -> d.report().appliedVersion() == 1);
    Await.until("controller recorded the ACK",
        () -> registry.replicas().size() == 1 && registry.replicas().get(0).appliedVersion() == 1);
  }

  private ControlChannelServer server(List<String> names) throws InterruptedException {
    ControlChannelServer s = new ControlChannelServer(publisher, registry, TokenCheck.none(),
        ServerTls.context(CA.issueServer(names, NOW)), () -> true, 500).start("127.0.0.1", 0);
    open.add(s);
    return s;
  }

  private Dataplane dataplane(Path tlsDir) throws Exception {
    return dataplane(tlsDir, server.port());
  }

  private Dataplane dataplane(Path tlsDir, int port) throws Exception {
    Dataplane d = Dataplane.start(DataplaneOptions.ephemeral()
        .controller("127.0.0.1", port)
        .replicaId("dp-" + tlsDir.getFileName())
        .controlTlsDir(tlsDir)
        .heartbeatInterval(Duration.ofMillis(500))
        .reportInterval(Duration.ofMillis(500))
        .drainTimeout(Duration.ofMillis(100))
        .build());
    open.add(d);
    return d;
  }

  private Path tlsDir(String name, Credentials client, CertificateAuthority trusted) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    write(d, client, trusted);
    return d;
  }

  private static void write(Path d, Credentials client, CertificateAuthority trusted) throws IOException {
    Files.writeString(d.resolve("tls.crt"), client.certificatePem());
    Files.writeString(d.resolve("tls.key"), client.keyPem());
    Files.writeString(d.resolve("ca.crt"), dev.weir.controller.pki.Pem.certificate(trusted.certificate()));
  }
}
