package dev.weir.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsPolicyTest {

  @Test
  void versions() {
    assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, TlsPolicy.DEFAULT.protocols());
    assertArrayEquals(new String[] {"TLSv1.3"}, new TlsPolicy("1.3", List.of()).protocols());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TlsPolicy("1.1", List.of()));
    assertTrue(e.getMessage().contains("1.2 or 1.3"), e.getMessage());
  }

  @Test
  void ciphersDefaultToHttp2sAndAreCheckedAgainstTheProvider() {
    assertEquals(Http2SecurityUtil.CIPHERS, TlsPolicy.DEFAULT.cipherSuites());
    assertEquals(
        List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        TlsPolicy.parseCiphers("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsPolicy.parseCiphers("TLS_MADE_UP_WITH_NOTHING"));
    assertTrue(e.getMessage().contains("TLS_MADE_UP_WITH_NOTHING"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TlsPolicy.parseCiphers(" : "));
  }
}
