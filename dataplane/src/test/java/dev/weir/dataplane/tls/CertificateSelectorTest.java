package dev.weir.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestCertificates;
import dev.weir.snapshot.Snapshot;
import io.netty.handler.ssl.SslContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CertificateSelectorTest {

  @Test
  void exactThenWildcardThenFirstCertificate() {
    Snapshot s =
        new SnapshotBuilder(1)
            .certificate(TestCertificates.certificate("default", "default"))
            .certificate(TestCertificates.certificate("shop", "shop"))
            .certificate(TestCertificates.certificate("wild", "wild"))
            .host("shop.example.com", "shop")
            .host("*.wild.example.com", "wild")
            .host("plain.example.com")
            .build();
    SslContext def = ServerSslContexts.build(s.certificates().get(0));
    SslContext shop = ServerSslContexts.build(s.certificates().get(1));
    SslContext wild = ServerSslContexts.build(s.certificates().get(2));
    CertificateSelector sel = CertificateSelector.of(s, Map.of("default", def, "shop", shop, "wild", wild));
    assertSame(shop, sel.select("shop.example.com"));
    assertSame(shop, sel.select("SHOP.example.com."));
    assertSame(wild, sel.select("a.wild.example.com"));
    assertSame(def, sel.select("a.b.wild.example.com"), "a wildcard covers one label only");
    assertSame(def, sel.select("wild.example.com"));
    assertSame(def, sel.select("plain.example.com"));
    assertSame(def, sel.select(null), "no SNI gets the default");
  }

  @Test
  void noCertificatesSelectsNothing() {
    assertTrue(CertificateSelector.none().isEmpty());
    assertNull(CertificateSelector.none().select("a.test"));
  }
}
