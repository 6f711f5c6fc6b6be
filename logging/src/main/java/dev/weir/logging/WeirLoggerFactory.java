package dev.weir.logging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** One {@link WeirLogger} per name, its level fixed when it is created (as slf4j-simple's are). */
final class WeirLoggerFactory implements ILoggerFactory {
  private final LogSettings settings;
  private final LogSink sink;
  private final Supplier<Map<String, String>> mdc;
  private final Map<String, WeirLogger> loggers = new ConcurrentHashMap<>();

  /** @param mdc a copy of the calling thread's MDC, or null when it is empty */
  WeirLoggerFactory(LogSettings settings, LogSink sink, Supplier<Map<String, String>> mdc) {
    this.settings = settings;
    this.sink = sink;
    this.mdc = mdc;
  }

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, n -> new WeirLogger(n, settings.levelOf(n), this));
  }

  LogSettings settings() {
    return settings;
  }

  void write(LogLine line) {
    sink.write(settings.format().format(line, settings.showDateTime()));
  }

  Map<String, String> mdc() {
    Map<String, String> m = mdc.get();
    return m == null ? Map.of() : m;
  }
}
