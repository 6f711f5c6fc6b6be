package dev.weir.controller.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA and the dataplane credentials as files (local mode, tests). */
class DirectoryCaStoreTest {
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  @TempDir Path dir;

  @Test
  void createsTheCaWithAnOwnerOnlyKeyAndWritesTheDataplaneFiles() throws Exception {
    Credentials issued = start(NOW);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))));
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("dataplane/tls.key"))));
    Credentials stored = Credentials.parse(Files.readString(dir.resolve("dataplane/tls.crt")),
        Files.readString(dir.resolve("dataplane/tls.key")), Files.readString(dir.resolve("dataplane/ca.crt")));
    assertEquals(issued.certificate(), stored.certificate());
    assertEquals(Pem.firstCertificate(Files.readString(dir.resolve("ca.crt"))), stored.ca());
    try (var files = Files.list(dir)) {
      assertEquals(List.of("ca.crt", "ca.key", "dataplane"), files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temp files left behind");
    }
  }

  @Test
  void restartKeepsTheCaAndRenewsOnlyWhenExpiring() throws Exception {
    Credentials first = start(NOW);
    String caPem = Files.readString(dir.resolve("ca.crt"));
    assertEquals(first.certificate(), start(NOW.plus(Duration.ofDays(300))).certificate(), "65 days left: kept");
    Credentials renewed = start(NOW.plus(Duration.ofDays(336)));
    assertNotEquals(first.certificate(), renewed.certificate(), "29 days left: renewed");
    assertEquals(caPem, Files.readString(dir.resolve("ca.crt")));
  }

  @Test
  void serverCertificatesNameDnsNamesAndIpAddresses() throws Exception {
    CertificateAuthority ca = new DirectoryCaStore(dir, Clock.fixed(NOW, ZoneOffset.UTC)).loadOrCreate();
    Credentials server = ca.issueServer(ServerNames.defaults("weir-system"), NOW);
    var sans = server.certificate().getSubjectAlternativeNames().stream()
        .map(l -> l.get(0) + "=" + l.get(1)).toList();
    assertTrue(sans.contains("2=weir-controller.weir-system.svc"), sans.toString());
    assertTrue(sans.contains("2=weir-controller.weir-system.svc.cluster.local"), sans.toString());
    assertTrue(sans.contains("7=127.0.0.1"), sans.toString());
    assertTrue(sans.contains("7=0:0:0:0:0:0:0:1"), sans.toString());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.certificate().getExtendedKeyUsage(), "serverAuth");
    assertEquals(Duration.ofDays(365), server.remaining(NOW));
  }

  private Credentials start(Instant now) {
    DirectoryCaStore store = new DirectoryCaStore(dir, Clock.fixed(now, ZoneOffset.UTC));
    return DataplaneCredentialsRenewal.ensure(store, store.loadOrCreate(), now);
  }
}
