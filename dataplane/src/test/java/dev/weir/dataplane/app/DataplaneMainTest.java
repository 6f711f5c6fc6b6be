package dev.weir.dataplane.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.SnapshotJson;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataplaneMainTest {

  static DataplaneOptions parse(String... args) {
    return DataplaneMain.parse(args, Map.of());
  }

  static String error(Map<String, String> env, String... args) {
    return assertThrows(IllegalArgumentException.class, () -> DataplaneMain.parse(args, env)).getMessage();
  }

  @Test
  void defaults() {
    DataplaneOptions o = parse();
    assertEquals(8080, o.httpPort());
    assertEquals(DataplaneOptions.NO_PORT, o.httpsPort());
    assertEquals(9901, o.adminPort());
    assertEquals("0.0.0.0", o.bindAddress());
    assertFalse(o.hasController());
    assertEquals(Runtime.getRuntime().availableProcessors(), o.ioThreads());
    assertTrue(o.replicaId().endsWith("-" + ProcessHandle.current().pid()));
    assertEquals("", o.token());
    assertFalse(o.reusePort());
    assertNull(o.stateDir());
  }

  @Test
  void controlTlsDirGoesWithAControllerAndMustExist(@TempDir Path dir) {
    assertNull(parse("--controller", "ctl:1").controlTlsDir(), "plaintext unless asked for");
    assertEquals(dir, parse("--controller", "ctl:1", "--control-tls-dir", dir.toString()).controlTlsDir());
    assertTrue(error(Map.of(), "--controller", "ctl:1", "--control-tls-dir", dir.resolve("nope").toString())
        .contains("no such directory"));
    assertTrue(error(Map.of(), "--control-tls-dir", dir.toString()).contains("--controller"));
  }

  @Test
  void everyOption(@TempDir Path dir) throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "s3cret\n");
    DataplaneOptions o =
        parse("--http-port", "0", "--https-port", "8443", "--admin-port", "9000", "--bind", "127.0.0.1", "--controller", "ctl.weir:7070",
            "--token-file", token.toString(), "--replica-id", "dp-1", "--state-dir", dir.toString(), "--reuse-port", "--io-threads", "3");
    assertEquals(0, o.httpPort());
    assertEquals(8443, o.httpsPort());
    assertEquals(9000, o.adminPort());
    assertEquals("127.0.0.1", o.bindAddress());
    assertEquals("ctl.weir", o.controllerHost());
    assertEquals(7070, o.controllerPort());
    assertEquals("s3cret", o.token());
    assertEquals("dp-1", o.replicaId());
    assertEquals(dir, o.stateDir());
    assertTrue(o.reusePort());
    assertEquals(3, o.ioThreads());
  }

  @Test
  void tokenFromTheEnvironmentAndIpv6Controller() {
    DataplaneOptions o = DataplaneMain.parse(new String[] {"--controller", "[::1]:7070"}, Map.of("WEIR_TOKEN", "from-env"));
    assertEquals("from-env", o.token());
    assertEquals("::1", o.controllerHost());
  }

  @Test
  void clearErrors(@TempDir Path dir) throws Exception {
    assertEquals("unknown option --nope", error(Map.of(), "--nope"));
    assertEquals("--http-port needs a value", error(Map.of(), "--http-port"));
    assertEquals("--http-port must be a port number, got abc", error(Map.of(), "--http-port", "abc"));
    assertEquals("--admin-port must be a port number in 0..65535, got 70000", error(Map.of(), "--admin-port", "70000"));
    assertEquals("--controller must be HOST:PORT, got ctl", error(Map.of(), "--controller", "ctl"));
    assertEquals("--controller must be a port number in 1..65535, got 0", error(Map.of(), "--controller", "ctl:0"));
    assertEquals("--io-threads must be a positive number, got 0", error(Map.of(), "--io-threads", "0"));
    assertTrue(error(Map.of(), "--snapshot", dir.resolve("missing.json").toString()).startsWith("--snapshot: cannot read"));
    Path snap = dir.resolve("s.json");
    Files.writeString(snap, "{}");
    assertEquals("--snapshot (static mode) and --controller exclude each other", error(Map.of(), "--snapshot", snap.toString(), "--controller", "a:1"));
    assertTrue(error(Map.of(), "--token-file", dir.resolve("none").toString()).startsWith("--token-file: cannot read"));
    assertThrows(DataplaneMain.HelpRequested.class, () -> parse("--help"));
  }

  // ---- the real command line, in a child JVM ----

  private static Process launch(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xmx128m");
    cmd.add(DataplaneMain.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  @Test
  void badArgumentsExitWith2() throws Exception {
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        DataplaneMain.class.getName(), "--http-port", "abc");
    Process p = new ProcessBuilder(cmd).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue());
    assertTrue(err.startsWith("weir dataplane: --http-port must be a port number, got abc\nusage: weir dataplane"), err);
    assertEquals("", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void staticModePrintsTheReadyLineFirstServesAndDrainsOnSigterm(@TempDir Path dir) throws Exception {
    EchoBackend backend = EchoBackend.start("cli");
    Process p = null;
    try {
      Path file = dir.resolve("snapshot.json");
      SnapshotJson.writeSnapshot(new SnapshotBuilder(5).cluster("c", backend.endpoint()).host("*").prefix("all", "/", "c").build(), file);
      p = launch("--snapshot", file.toString(), "--http-port", "0", "--admin-port", "0", "--bind", "127.0.0.1", "--replica-id", "cli-test", "--io-threads", "1");
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(30, TimeUnit.SECONDS);
      Matcher m = Pattern.compile("weir dataplane ready http=(\\d+) https=- admin=(\\d+) replica=cli-test").matcher(line);
      assertTrue(m.matches(), line);
      int http = Integer.parseInt(m.group(1));
      int admin = Integer.parseInt(m.group(2));
      assertEquals("cli", HttpTestClient.get(http, "anything", "/").echo("backend"));
      assertEquals(200, HttpTestClient.get(admin, "x", "/readyz").status());
      p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of stdout)
      // After the ready line, only the access log (stdout by default): the one request, written by the drain at the latest.
      String access = out.readLine();
      assertTrue(access != null && access.startsWith("{\"time\":") && access.contains("\"path\":\"/\",") && access.contains("\"route\":\"all\","), access);
      assertNull(out.readLine(), "nothing else on stdout"); // returns at EOF, when the process is gone
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "drained and exited");
      assertEquals(143, p.exitValue(), "128 + SIGTERM, after the shutdown hook ran");
    } finally {
      if (p != null) {
        p.destroyForcibly();
      }
      backend.close();
    }
  }

  @Test
  void protocolTimeoutAndTlsOptions() {
    DataplaneOptions o =
        parse("--no-h2c", "--via", "--connect-timeout", "500ms", "--response-timeout", "2m", "--client-idle-timeout", "30",
            "--tls-min-version", "1.3", "--tls-ciphers", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assertFalse(o.h2c());
    assertTrue(o.proxy().via());
    assertEquals(java.time.Duration.ofMillis(500), o.proxy().connectTimeout());
    assertEquals(java.time.Duration.ofMinutes(2), o.proxy().responseTimeout());
    assertEquals(java.time.Duration.ofSeconds(30), o.proxy().clientIdleTimeout());
    assertEquals("1.3", o.tls().minVersion());
    assertEquals(java.util.List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), o.tls().ciphers());
    DataplaneOptions d = parse();
    assertTrue(d.h2c());
    assertFalse(d.proxy().via());
    assertEquals("1.2", d.tls().minVersion());
  }

  @Test
  void badProtocolTimeoutAndTlsOptionsAreClearErrors() {
    assertTrue(error(Map.of(), "--connect-timeout", "soon").contains("--connect-timeout must be a duration"));
    assertTrue(error(Map.of(), "--response-timeout", "0s").contains("above zero"));
    assertTrue(error(Map.of(), "--tls-min-version", "1.0").contains("--tls-min-version"));
    assertTrue(error(Map.of(), "--tls-ciphers", "RC4_FOREVER").contains("RC4_FOREVER"));
  }

  @Test
  void drainOptions() {
    DataplaneOptions d = parse();
    assertEquals(java.time.Duration.ZERO, d.shutdownDelay());
    assertEquals(java.time.Duration.ofSeconds(25), d.drainTimeout());
    DataplaneOptions o = parse("--shutdown-delay", "15s", "--drain-timeout", "40s");
    assertEquals(java.time.Duration.ofSeconds(15), o.shutdownDelay());
    assertEquals(java.time.Duration.ofSeconds(40), o.drainTimeout());
    assertEquals(java.time.Duration.ZERO, parse("--shutdown-delay", "0").shutdownDelay());
    assertTrue(error(Map.of(), "--shutdown-delay", "-1s").contains("--shutdown-delay must be a duration"));
    assertTrue(error(Map.of(), "--drain-timeout", "0s").contains("above zero"));
  }

  @Test
  void accessLogOption() {
    assertEquals(dev.weir.dataplane.accesslog.AccessLogTarget.STDOUT, parse().accessLog(), "stdout by default, as ingress-nginx");
    assertEquals(dev.weir.dataplane.accesslog.AccessLogTarget.OFF, parse("--access-log", "off").accessLog());
    assertEquals(dev.weir.dataplane.accesslog.AccessLogTarget.file(java.nio.file.Path.of("/var/log/weir.log")),
        parse("--access-log", "/var/log/weir.log").accessLog());
    assertEquals(dev.weir.dataplane.accesslog.AccessLogTarget.OFF, DataplaneOptions.ephemeral().build().accessLog(), "tests log nothing");
  }

  @Test
  void cacheSizeOption() {
    assertEquals(Runtime.getRuntime().maxMemory() / 4, parse().cacheSizeBytes(), "a quarter of the heap by default");
    assertEquals(1L << 30, parse("--cache-size", "1Gi").cacheSizeBytes());
    assertEquals(500_000_000L, parse("--cache-size", "500M").cacheSizeBytes());
    assertEquals(0, parse("--cache-size", "0").cacheSizeBytes(), "0 turns caching off");
    assertTrue(error(Map.of(), "--cache-size", "lots").contains("a size such as 256Mi"));
    assertTrue(error(Map.of(), "--cache-size", "-1").contains("a size such as 256Mi"));
  }
}
