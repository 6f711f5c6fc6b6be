package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestPki;
import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS listener seen by the clients people use: {@code openssl s_client} (SNI, the default
 * certificate, session resumption with TLS 1.2 session ids and TLS 1.3 tickets, also across a
 * snapshot change) and {@code curl} (HTTP/2 through ALPN, client certificates). Skipped where the
 * tools are missing.
 */
class TlsCommandLineClientsTest {

  static final TestPki.Ca CA = TestPki.ca("cli CA");
  static final TestPki.Ca CLIENT_CA = TestPki.ca("cli client CA");
  static final TestPki.Ca OTHER_CA = TestPki.ca("cli other CA");
  static final TestPki.Leaf SHOP = TestPki.server(CA, "shop.example.com");
  static final TestPki.Leaf FALLBACK = TestPki.server(CA, "fallback.example.com");
  static final TestPki.Leaf MTLS = TestPki.server(CA, "mtls.example.com");

  @TempDir static Path dir;
  static EchoBackend backend;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    backend = EchoBackend.start("cli-backend");
    dp = Dataplane.start(DataplaneOptions.ephemeral().httpsPort(0).build());
    assertTrue(dp.config().apply(snapshot(1, "/")).accepted());
    Files.writeString(dir.resolve("ca.pem"), CA.certificatePem());
  }

  /** {@code path}: the shop route's prefix, so that tests can change the snapshot without touching TLS. */
  static Snapshot snapshot(long version, String path) {
    return new SnapshotBuilder(version)
        .certificate(SHOP.asTlsCertificate("web/shop"))
        .certificate(MTLS.asTlsCertificate("web/mtls"))
        .certificate(FALLBACK.asTlsCertificate("web/fallback"))
        .defaultCertificate("web/fallback")
        .cluster("c", backend.endpoint())
        .host("shop.example.com", "web/shop").prefix("shop", path, "c")
        .host("mtls.example.com", "web/mtls", new ClientValidation(CLIENT_CA.certificatePem(), true)).prefix("mtls", "/", "c")
        .build();
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    backend.close();
  }

  @Test
  void opensslSeesTheCertificateOfItsSniNameAndTheDefaultOtherwise() throws Exception {
    assumeTrue(has("openssl"));
    assertTrue(sClient("-servername", "shop.example.com").contains("CN = shop.example.com"));
    assertTrue(sClient("-servername", "unknown.example.com").contains("CN = fallback.example.com"));
    assertTrue(sClient("-noservername").contains("CN = fallback.example.com"));
    String verified = sClient("-servername", "shop.example.com", "-CAfile", dir.resolve("ca.pem").toString(), "-verify_hostname", "shop.example.com");
    assertTrue(verified.contains("Verify return code: 0 (ok)"), verified);
  }

  @Test
  void sessionsResumeWithTls12SessionIdsAndTls13TicketsAlsoAfterASnapshotChange() throws Exception {
    assumeTrue(has("openssl"));
    for (String version : List.of("-tls1_2", "-tls1_3")) {
      Path session = dir.resolve("session" + version);
      String first = sClient(version, "-servername", "shop.example.com", "-sess_out", session.toString());
      assertTrue(first.contains("New, TLSv1."), first);
      String again = sClient(version, "-servername", "shop.example.com", "-sess_in", session.toString());
      assertTrue(again.contains("Reused, TLSv1."), version + ": " + again);
      // A new snapshot with the same certificates keeps their contexts, and so the sessions.
      long next = dp.config().appliedVersion() + 1;
      assertTrue(dp.config().apply(snapshot(next, "/v" + next)).accepted());
      String afterChange = sClient(version, "-servername", "shop.example.com", "-sess_in", session.toString());
      assertTrue(afterChange.contains("Reused, TLSv1."), version + " after a snapshot change: " + afterChange);
    }
  }

  @Test
  void aSessionOfOneHostDoesNotResumeOnAHostThatAsksForClientCertificates() throws Exception {
    assumeTrue(has("openssl"));
    Path session = dir.resolve("shop-session");
    sClient("-tls1_3", "-servername", "shop.example.com", "-sess_out", session.toString());
    String other = sClient("-tls1_3", "-servername", "mtls.example.com", "-sess_in", session.toString());
    assertTrue(other.contains("New, TLSv1.3"), other);
  }

  @Test
  void curlNegotiatesHttp2ThroughAlpn() throws Exception {
    assumeTrue(has("curl"));
    String out = curl("--http2", "https://shop.example.com:" + dp.httpsPort() + "/", "-w", "\nversion=%{http_version} status=%{http_code}");
    assertTrue(out.contains("version=2 status=200"), out);
    String h1 = curl("--http1.1", "https://shop.example.com:" + dp.httpsPort() + "/", "-w", "\nversion=%{http_version} status=%{http_code}");
    assertTrue(h1.contains("version=1.1 status=200"), h1);
  }

  @Test
  void curlWithAClientCertificateGetsItsSubjectUpstreamAndAForeignOneIsRefused() throws Exception {
    assumeTrue(has("curl"));
    TestPki.Leaf alice = TestPki.client(CLIENT_CA, "CN=alice");
    TestPki.Leaf mallory = TestPki.client(OTHER_CA, "CN=mallory");
    Files.writeString(dir.resolve("alice.crt"), alice.chainPem());
    Files.writeString(dir.resolve("alice.key"), alice.keyPem());
    Files.writeString(dir.resolve("mallory.crt"), mallory.chainPem());
    Files.writeString(dir.resolve("mallory.key"), mallory.keyPem());
    String url = "https://mtls.example.com:" + dp.httpsPort() + "/";
    for (String http : List.of("--http1.1", "--http2")) {
      String ok = curl(http, "--cert", dir.resolve("alice.crt").toString(), "--key", dir.resolve("alice.key").toString(), url);
      assertTrue(ok.contains("header x-client-cert-subject: CN=alice"), http + ": " + ok);
      String anonymous = curl(http, url, "-w", "\nstatus=%{http_code}");
      assertTrue(anonymous.contains("status=200") && !anonymous.contains("x-client-cert-subject"), http + ": " + anonymous);
      // curl sends the certificate whatever CA the server names; the handshake fails.
      String refused = curl(http, "--cert", dir.resolve("mallory.crt").toString(), "--key", dir.resolve("mallory.key").toString(), url, "-w", "\nstatus=%{http_code}");
      assertTrue(refused.contains("status=000"), http + ": " + refused);
      assertNotEquals(-1, refused.indexOf("exit="), refused);
    }
  }

  /**
   * One s_client connection that sends a request and reads until the server closes: TLS 1.3 tickets
   * come after the handshake, so a client that hung up right away would never see (and save) one.
   */
  static String sClient(String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + dp.httpsPort(), "-ign_eof"));
    command.addAll(List.of(options));
    Path request = dir.resolve("request.txt");
    Files.writeString(request, "GET / HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\n\r\n");
    return run(command, request);
  }

  static String curl(String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sSk", "--max-time", "10", "--resolve",
        "shop.example.com:" + dp.httpsPort() + ":127.0.0.1", "--resolve", "mtls.example.com:" + dp.httpsPort() + ":127.0.0.1"));
    command.addAll(List.of(options));
    return run(command, Path.of("/dev/null"));
  }

  /** Runs a command with {@code input} as standard input; its output and exit code. */
  static String run(List<String> command, Path input) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(input.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new String(out, StandardCharsets.UTF_8) + "\nexit=" + p.exitValue();
  }

  static boolean has(String tool) {
    try {
      Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && (p.exitValue() == 0 || tool.equals("openssl"));
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
