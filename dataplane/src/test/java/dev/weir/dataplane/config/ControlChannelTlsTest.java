package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading the mounted control-channel Secret. The handshakes themselves (refusals both ways, renewal on
 * reconnect) are tested against the real controller in the controller module's ControlChannelTlsTest.
 */
class ControlChannelTlsTest {
  @TempDir Path dir;

  @Test
  void loadsACertificateKeyAndCa() throws Exception {
    write("shop.crt", "shop.key", "default.crt");
    assertNotNull(ControlChannelTls.load(dir));
  }

  @Test
  void aMissingFileIsNamed() throws Exception {
    Files.writeString(dir.resolve("tls.crt"), TestCertificates.resource("shop.crt"));
    Files.writeString(dir.resolve("tls.key"), TestCertificates.resource("shop.key"));
    var e = assertThrows(IllegalArgumentException.class, () -> ControlChannelTls.load(dir));
    assertTrue(e.getMessage().contains(dir.resolve("ca.crt").toString()), e.getMessage());
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedWithoutShowingIt() throws Exception {
    write("shop.crt", "other.key", "default.crt");
    var e = assertThrows(IllegalArgumentException.class, () -> ControlChannelTls.load(dir));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    assertTrue(!e.getMessage().contains("PRIVATE KEY"), "no key material in messages");
  }

  private void write(String crt, String key, String ca) throws Exception {
    Files.writeString(dir.resolve("tls.crt"), TestCertificates.resource(crt));
    Files.writeString(dir.resolve("tls.key"), TestCertificates.resource(key));
    Files.writeString(dir.resolve("ca.crt"), TestCertificates.resource(ca));
  }
}
