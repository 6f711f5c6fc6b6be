package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestPki;
import dev.weir.dataplane.tls.TlsPolicy;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.UpstreamTls;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Upstream TLS contexts are built when a snapshot is compiled, shared by equal settings and kept across snapshots. */
class UpstreamTlsCompileTest {
  static final Endpoint E = new Endpoint("127.0.0.1", 8443);
  static final UpstreamTls A = new UpstreamTls("a.web.svc", TestPki.ca("a").certificatePem(), true);

  static Snapshot snapshot(long version, UpstreamTls a, UpstreamTls b) {
    return new SnapshotBuilder(version)
        .cluster("a", UpstreamProtocol.HTTP1, a, E)
        .cluster("b", UpstreamProtocol.HTTP1, b, E)
        .cluster("a-h2", UpstreamProtocol.H2C, a, E)
        .cluster("plain", E)
        .host("x.test").prefix("r", "/", "a")
        .build();
  }

  @Test
  void equalSettingsShareAContextAndAnUnchangedClusterKeepsItsContextAcrossSnapshots() {
    UpstreamTls b = new UpstreamTls("b.web.svc", null, false);
    RuntimeConfig first = RuntimeConfig.compile(snapshot(1, A, b), TlsPolicy.DEFAULT);
    assertNull(first.cluster("plain").tls());
    assertNotSame(first.cluster("a").tls(), first.cluster("a-h2").tls(), "ALPN differs");
    assertEquals("h2", first.cluster("a-h2").tls().applicationProtocol());
    RuntimeConfig second = RuntimeConfig.compile(snapshot(2, A, UpstreamTls.verified("b.web.svc")), new dev.weir.dataplane.tls.ServerContextCache(TlsPolicy.DEFAULT), first);
    assertSame(first.cluster("a").tls(), second.cluster("a").tls(), "unchanged: reused, not rebuilt");
    assertSame(first.cluster("a-h2").tls(), second.cluster("a-h2").tls());
    assertNotSame(first.cluster("b").tls(), second.cluster("b").tls(), "changed settings: a new context");
    assertEquals(UpstreamTls.verified("b.web.svc"), second.cluster("b").tls().settings());
  }

  @Test
  void badTlsSettingsAreProblemsNamingTheCluster() {
    Snapshot s = snapshot(1, new UpstreamTls("a.web.svc", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", true),
        new UpstreamTls("", null, true));
    List<String> problems = SnapshotValidator.validate(s);
    assertEquals(3, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("cluster a: tls.caCertificatesPem: "), problems.get(0));
    assertEquals("cluster b: tls.serverName is required", problems.get(1));
    assertTrue(problems.get(2).startsWith("cluster a-h2: tls.caCertificatesPem: "), problems.get(2));
  }
}
