package dev.weir.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loggers end to end: levels, the classic and the fluent API, MDC, settings, and SLF4J finding this provider. */
class WeirLoggerTest {
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private WeirLoggerFactory factory(Properties p, Map<String, String> env) {
    return new WeirLoggerFactory(LogSettings.from(p, env::get), lines::add, () -> Map.of("req", "r1"));
  }

  @Test
  void slf4jFindsThisProvider() {
    assertTrue(LoggerFactory.getILoggerFactory() instanceof WeirLoggerFactory, LoggerFactory.getILoggerFactory().toString());
  }

  @Test
  void classicAndFluentCallsFormatArgumentsPairsAndThrowables() {
    Properties p = new Properties();
    p.setProperty("weir.log.format", "json");
    Logger log = factory(p, Map.of()).getLogger("dev.weir.T");
    log.info("published {} ({} hosts)", 7, 2);
    log.atWarn().addKeyValue("replica", "dp-1").addKeyValue("version", 7L).log("rejected: {}", "bad");
    log.error("failed {}", "x", new IllegalStateException("boom"));
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("\"level\":\"INFO\",\"logger\":\"dev.weir.T\""), lines.get(0));
    assertTrue(lines.get(0).contains("\"message\":\"published 7 (2 hosts)\",\"req\":\"r1\"}"), lines.get(0));
    assertTrue(lines.get(1).contains("\"message\":\"rejected: bad\",\"replica\":\"dp-1\",\"version\":7,\"req\":\"r1\"}"),
        lines.get(1));
    assertTrue(lines.get(2).contains("\"message\":\"failed x\",\"req\":\"r1\",\"error\":\"java.lang.IllegalStateException: boom\""),
        lines.get(2));
  }

  @Test
  void disabledLevelsWriteNothingAndBuildNothing() {
    Logger log = factory(new Properties(), Map.of()).getLogger("dev.weir.T");
    assertFalse(log.isDebugEnabled());
    assertTrue(log.isInfoEnabled());
    log.debug("no {}", "thanks");
    Supplier<Object> never = () -> {
      throw new AssertionError("evaluated");
    };
    log.atDebug().addKeyValue("k", never).log("no");
    assertSame(org.slf4j.spi.NOPLoggingEventBuilder.singleton(), log.atTrace());
    assertTrue(lines.isEmpty(), lines.toString());
  }

  @Test
  void levelsComeFromWeirSettingsThenSimpleLoggersPerPrefix() {
    Properties p = new Properties();
    p.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    p.setProperty("org.slf4j.simpleLogger.log.io.fabric8", "warn");
    p.setProperty("org.slf4j.simpleLogger.log.dev.weir", "trace");
    p.setProperty("weir.log.level.dev.weir", "debug");
    LogSettings s = LogSettings.from(p, Map.<String, String>of()::get);
    assertEquals(40, s.levelOf("com.example.Other"));
    assertEquals(30, s.levelOf("io.fabric8.kubernetes.client.Config"));
    assertEquals(10, s.levelOf("dev.weir.controller.X"), "Weir's own name wins for the same prefix");
    assertEquals(LogFormat.TEXT, s.format());

    assertEquals(30, LogSettings.from(new Properties(), Map.of("WEIR_LOG_LEVEL", "WARN")::get).defaultLevel());
    p.setProperty("weir.log.level", "off");
    LogSettings off = LogSettings.from(p, Map.of("WEIR_LOG_LEVEL", "info", "WEIR_LOG_FORMAT", "json")::get);
    assertEquals(LogSettings.OFF, off.defaultLevel(), "the system property wins over the environment");
    assertEquals(LogFormat.JSON, off.format());
    assertEquals(20, LogSettings.from(new Properties(), Map.<String, String>of()::get).defaultLevel(), "info by default");
  }

  @Test
  void concurrentLinesStayWhole() throws Exception {
    Properties p = new Properties();
    p.setProperty("weir.log.format", "json");
    Logger log = factory(p, Map.of()).getLogger("dev.weir.T");
    int threads = 4;
    int each = 500;
    CountDownLatch go = new CountDownLatch(1);
    Thread[] ts = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      int n = i;
      ts[i] = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int j = 0; j < each; j++) log.atInfo().addKeyValue("t", n).addKeyValue("j", j).log("line");
      });
      ts[i].start();
    }
    go.countDown();
    for (Thread t : ts) t.join();
    assertEquals(threads * each, lines.size());
    assertTrue(lines.stream().allMatch(l -> l.startsWith("{\"time\":") && l.endsWith("}\n")));
  }
}
