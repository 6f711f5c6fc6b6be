package dev.weir.controller.app;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which control-channel setups the controller accepts, and what it says about the others. */
class ControlChannelSecurityTest {
  @TempDir Path dir;

  @Test
  void withoutCaAndWithoutTheInsecureFlagTheControllerRefusesToStart() {
    var e = assertThrows(IllegalArgumentException.class, () -> resolve(ControllerOptions.defaults().withToken("t")));
    assertTrue(e.getMessage().contains("--ca-secret") && e.getMessage().contains("--ca-dir")
        && e.getMessage().contains("--insecure-control-channel"), e.getMessage());
  }

  @Test
  void plaintextNeedsTheFlagAndAToken() throws Exception {
    var e = assertThrows(IllegalArgumentException.class,
        () -> resolve(ControllerOptions.defaults().withInsecureControlChannel()));
    assertTrue(e.getMessage().contains("token"), e.getMessage());
    ControlChannelSecurity plain = resolve(ControllerOptions.defaults().withInsecureControlChannel().withToken("t"));
    assertNull(plain.tls());
    assertTrue(plain.tokens().accepts("t") && !plain.tokens().accepts("x"));
  }

  @Test
  void theInsecureFlagAndACaExcludeEachOther() {
    assertThrows(IllegalArgumentException.class,
        () -> resolve(ControllerOptions.defaults().withInsecureControlChannel().withToken("t").withCaDir(dir)));
    assertThrows(IllegalArgumentException.class,
        () -> resolve(ControllerOptions.defaults().withCaDir(dir).withCaSecret("weir-system/weir-ca")));
  }

  @Test
  void withTlsATokenIsOptionalAndCheckedWhenGiven() throws Exception {
    ControlChannelSecurity tls = resolve(ControllerOptions.defaults().withCaDir(dir));
    assertNotNull(tls.tls());
    assertTrue(tls.tokens().accepts("") && tls.tokens().accepts(null), "no token configured: TLS alone");
    ControlChannelSecurity both = resolve(ControllerOptions.defaults().withCaDir(dir).withToken("t")
        .withControlServerNames(List.of("controller.example")));
    assertTrue(both.tokens().accepts("t") && !both.tokens().accepts(""));
  }

  @Test
  void aLongRunningControllerRenewsItsCertificatesBeforeTheyExpire() throws Exception {
    MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-01T00:00:00Z"));
    ControlChannelSecurity tls = ControlChannelSecurity.resolve(ControllerOptions.defaults().withCaDir(dir), null, clock);
    var context = tls.tls();
    var server = tls.server().certificate();
    String dataplane = java.nio.file.Files.readString(dir.resolve("dataplane/tls.crt"));

    clock.now = clock.now.plus(java.time.Duration.ofDays(200));
    assertTrue(!tls.renew(), "200 days in: nothing due");
    assertTrue(tls.tls() == context);
    assertTrue(dataplane.equals(java.nio.file.Files.readString(dir.resolve("dataplane/tls.crt"))));

    clock.now = clock.now.plus(java.time.Duration.ofDays(140)); // 25 days left on both
    assertTrue(tls.renew(), "340 days in: renewed");
    assertTrue(tls.tls() != context);
    assertTrue(tls.server().certificate().getNotAfter().after(server.getNotAfter()));
    assertTrue(!dataplane.equals(java.nio.file.Files.readString(dir.resolve("dataplane/tls.crt"))),
        "dataplane credentials re-issued too");
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    volatile java.time.Instant now;

    MutableClock(java.time.Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  @Test
  void optionsParse() {
    ControllerOptions o = ControllerArgs.parse(new String[] {"--ca-secret", "ns/ca", "--dataplane-tls-secret", "ns/dp",
        "--control-server-names", "a.example, 10.0.0.1"}).options();
    assertTrue(o.caSecret().equals("ns/ca") && o.dataplaneTlsSecret().equals("ns/dp"));
    assertTrue(o.controlServerNames().equals(List.of("a.example", "10.0.0.1")), o.controlServerNames().toString());
    assertTrue(ControllerArgs.parse(new String[] {"--insecure-control-channel"}).options().insecureControlChannel());
    assertTrue(ControllerArgs.parse(new String[] {"--ca-dir", "/x"}).options().caDir().equals(Path.of("/x")));
    assertTrue("weir-system/fallback".equals(
        ControllerArgs.parse(new String[] {"--default-certificate", "weir-system/fallback"}).options().defaultCertificate()));
    assertTrue(ControllerOptions.defaults().defaultCertificate() == null);
  }

  private static ControlChannelSecurity resolve(ControllerOptions o) throws Exception {
    return ControlChannelSecurity.resolve(o, null, Clock.systemUTC());
  }
}
