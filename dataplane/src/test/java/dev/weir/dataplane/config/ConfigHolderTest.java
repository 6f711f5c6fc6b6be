package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestCertificates;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.SnapshotJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigHolderTest {

  static Snapshot good(long version, String path) {
    return new SnapshotBuilder(version).cluster("c", new Endpoint("127.0.0.1", 9)).host("a.test").prefix("r", path, "c").build();
  }

  static Snapshot bad(long version) {
    return new SnapshotBuilder(version).host("a.test").prefix("r", "/", "missing-cluster").build();
  }

  @Test
  void notReadyAndRoutesNothingBeforeTheFirstApply() {
    ConfigHolder holder = new ConfigHolder();
    assertFalse(holder.isReady());
    assertEquals(0, holder.appliedVersion());
    assertEquals("", holder.appliedHash());
    assertTrue(holder.current().routes().match("a.test", "/", "GET", null).isEmpty());
    assertTrue(holder.appliedSnapshot().isEmpty());
  }

  @Test
  void appliesAValidSnapshotWithOneSwap() {
    ConfigHolder holder = new ConfigHolder();
    RuntimeConfig before = holder.current();
    ApplyResult r = holder.apply(good(3, "/"));
    assertEquals(new ApplyResult.Applied(3, good(3, "/").hash(), false), r);
    assertTrue(holder.isReady());
    assertEquals(3, holder.appliedVersion());
    RuntimeConfig after = holder.current();
    assertTrue(after.routes().match("a.test", "/x", "GET", null).isPresent());
    // the old config object is untouched: a request holding it keeps its rules
    assertTrue(before.routes().match("a.test", "/x", "GET", null).isEmpty());
  }

  @Test
  void rejectsAnInvalidSnapshotAndKeepsTheLastGoodOne() {
    ConfigHolder holder = new ConfigHolder();
    holder.apply(good(1, "/"));
    RuntimeConfig good = holder.current();
    ApplyResult r = holder.apply(bad(2));
    ApplyResult.Rejected rejected = assertInstanceOf(ApplyResult.Rejected.class, r);
    assertEquals(2, rejected.version());
    assertTrue(rejected.reason().contains("refers to unknown cluster missing-cluster"), rejected.reason());
    assertSame(good, holder.current());
    assertEquals(1, holder.appliedVersion());
  }

  @Test
  void sameContentIsOnlyRelabelled() {
    ConfigHolder holder = new ConfigHolder();
    holder.apply(good(1, "/"));
    RuntimeConfig first = holder.current();
    ApplyResult r = holder.apply(good(7, "/"));
    assertEquals(new ApplyResult.Applied(7, first.hash(), true), r);
    assertEquals(7, holder.appliedVersion());
    assertSame(first.routes(), holder.current().routes(), "no recompile");
    assertSame(first.clusters(), holder.current().clusters());
  }

  @Test
  void rejectsAnOlderVersionAndKeepsTheNewerOne() {
    ConfigHolder holder = new ConfigHolder();
    holder.apply(good(5, "/new"));
    RuntimeConfig applied = holder.current();
    List<ApplyResult.Rejected> told = new ArrayList<>();
    holder.addListener(new ConfigListener() {
      @Override
      public void applied(RuntimeConfig config, ApplyResult.Applied result) {}

      @Override
      public void rejected(ApplyResult.Rejected result) {
        told.add(result);
      }
    });
    ApplyResult r = holder.apply(good(4, "/old"));
    assertEquals(new ApplyResult.Rejected(4, "version 4 is older than applied 5"), r);
    assertEquals(List.of(r), told, "a rejection like any other: the control channel NACKs it");
    assertSame(applied, holder.current());
    assertEquals(5, holder.appliedVersion());
    assertTrue(holder.current().routes().match("a.test", "/new", "GET", null).isPresent());
    assertFalse(holder.apply(good(4, "/new")).accepted(), "older, even with the same content");
  }

  @Test
  void theAppliedSnapshotAgainIsANoOp() {
    ConfigHolder holder = new ConfigHolder();
    holder.apply(good(5, "/"));
    RuntimeConfig applied = holder.current();
    ApplyResult r = holder.apply(good(5, "/"));
    assertEquals(new ApplyResult.Applied(5, applied.hash(), true), r);
    assertSame(applied, holder.current(), "nothing swapped");
  }

  @Test
  void computesAMissingHash() {
    ConfigHolder holder = new ConfigHolder();
    Snapshot s = good(1, "/");
    holder.apply(new Snapshot(1, "", s.virtualHosts(), s.clusters(), s.certificates()));
    assertEquals(s.hash(), holder.appliedHash());
  }

  @Test
  void tellsListeners() {
    ConfigHolder holder = new ConfigHolder();
    List<Object> seen = new ArrayList<>();
    holder.addListener(new ConfigListener() {
      @Override
      public void applied(RuntimeConfig config, ApplyResult.Applied result) {
        seen.add(result);
      }

      @Override
      public void rejected(ApplyResult.Rejected result) {
        seen.add(result);
      }
    });
    holder.apply(good(1, "/"));
    holder.apply(bad(2));
    assertEquals(2, seen.size());
    assertInstanceOf(ApplyResult.Applied.class, seen.get(0));
    assertInstanceOf(ApplyResult.Rejected.class, seen.get(1));
  }

  @Test
  void persistsEveryAppliedSnapshotAndLoadsItAgain(@TempDir Path dir) throws Exception {
    ConfigHolder holder = new ConfigHolder(dir);
    holder.apply(good(1, "/"));
    holder.apply(good(2, "/two"));
    holder.apply(bad(3));
    Path file = dir.resolve(ConfigHolder.SNAPSHOT_FILE);
    assertEquals(2, SnapshotJson.readSnapshot(file).version());
    try (var listing = Files.list(dir)) {
      assertEquals(List.of(file), listing.toList(), "no temp files left behind");
    }

    ConfigHolder restarted = new ConfigHolder(dir);
    assertTrue(restarted.applyPersisted().orElseThrow().accepted());
    assertTrue(restarted.isReady());
    assertEquals(2, restarted.appliedVersion());
    assertTrue(restarted.current().routes().match("a.test", "/two", "GET", null).isPresent());
  }

  @Test
  void ignoresAMissingOrCorruptPersistedSnapshot(@TempDir Path dir) throws Exception {
    ConfigHolder holder = new ConfigHolder(dir);
    assertTrue(holder.applyPersisted().isEmpty());
    Files.writeString(dir.resolve(ConfigHolder.SNAPSHOT_FILE), "{not json");
    assertTrue(holder.applyPersisted().isEmpty());
    assertFalse(holder.isReady());
    assertTrue(new ConfigHolder().applyPersisted().isEmpty());
  }

  @Test
  void compilesTlsContextsByName() {
    Snapshot s =
        new SnapshotBuilder(1)
            .certificate(TestCertificates.certificate("shop", "web/shop"))
            .cluster("c", new Endpoint("127.0.0.1", 9))
            .host("shop.example.com", "web/shop")
            .prefix("r", "/", "c")
            .build();
    ConfigHolder holder = new ConfigHolder();
    assertTrue(holder.apply(s).accepted());
    assertEquals(List.of("web/shop"), List.copyOf(holder.current().sslContexts().keySet()));
    assertTrue(holder.current().sslContexts().get("web/shop").isServer());
  }
}
