package dev.weir.dataplane.tls;

import dev.weir.snapshot.pem.PemKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.TestCertificates;
import java.security.PrivateKey;
import org.junit.jupiter.api.Test;

class PemKeysTest {

  @Test
  void readsPkcs8Pkcs1AndSec1Keys() {
    assertEquals("RSA", PemKeys.privateKey(TestCertificates.resource("default.key")).getAlgorithm());
    assertTrue(TestCertificates.resource("shop.key").contains("BEGIN RSA PRIVATE KEY"));
    assertEquals("RSA", PemKeys.privateKey(TestCertificates.resource("shop.key")).getAlgorithm());
    assertTrue(TestCertificates.resource("wild.key").contains("BEGIN EC PRIVATE KEY"));
    assertEquals("EC", PemKeys.privateKey(TestCertificates.resource("wild.key")).getAlgorithm());
  }

  @Test
  void keysMatchTheirCertificatesOnly() {
    for (String name : new String[] {"default", "shop", "wild"}) {
      PrivateKey key = PemKeys.privateKey(TestCertificates.resource(name + ".key"));
      assertTrue(PemKeys.matches(key, PemKeys.certificates(TestCertificates.resource(name + ".crt")).get(0).getPublicKey()), name);
    }
    PrivateKey other = PemKeys.privateKey(TestCertificates.resource("other.key"));
    assertFalse(PemKeys.matches(other, PemKeys.certificates(TestCertificates.resource("shop.crt")).get(0).getPublicKey()));
    assertFalse(PemKeys.matches(other, PemKeys.certificates(TestCertificates.resource("wild.crt")).get(0).getPublicKey()));
  }

  @Test
  void readsAChain() {
    String chain = TestCertificates.resource("shop.crt") + TestCertificates.resource("default.crt");
    assertEquals(2, PemKeys.certificates(chain).size());
  }

  @Test
  void explainsWhatIsWrong() {
    assertEquals("no PEM certificate found", assertThrows(IllegalArgumentException.class, () -> PemKeys.certificates("hello")).getMessage());
    assertEquals(
        "encrypted private keys are not supported",
        assertThrows(IllegalArgumentException.class, () -> PemKeys.privateKey("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA\n-----END ENCRYPTED PRIVATE KEY-----")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PemKeys.privateKey("nothing")).getMessage().startsWith("no PEM private key found"));
  }
}
