package dev.weir.logging;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * What to log and how, read once at start-up.
 *
 * <ul>
 *   <li>format: system property {@code weir.log.format}, else env {@code WEIR_LOG_FORMAT}: {@code text}
 *       (default) or {@code json};
 *   <li>level: {@code weir.log.level}, else {@code WEIR_LOG_LEVEL}, else slf4j-simple's
 *       {@code org.slf4j.simpleLogger.defaultLogLevel}, else {@code info}; one of trace, debug, info, warn,
 *       error, off;
 *   <li>per logger: {@code weir.log.level.<name>} or slf4j-simple's {@code org.slf4j.simpleLogger.log.<name>},
 *       where the longest dotted prefix of a logger's name wins ({@code io.fabric8} covers
 *       {@code io.fabric8.kubernetes.client.Config});
 *   <li>text only: slf4j-simple's {@code org.slf4j.simpleLogger.showDateTime=true} puts the time first.
 * </ul>
 *
 * @param levels threshold per logger-name prefix (SLF4J level ints; {@link #OFF} silences)
 */
record LogSettings(LogFormat format, int defaultLevel, Map<String, Integer> levels, boolean showDateTime) {
  static final int OFF = Integer.MAX_VALUE;
  private static final String SIMPLE = "org.slf4j.simpleLogger.";

  LogSettings {
    levels = Map.copyOf(levels);
  }

  static LogSettings fromEnvironment() {
    return from(System.getProperties(), System::getenv);
  }

  /** Problems (an unknown level or format) are reported once on stderr; the default is used instead. */
  static LogSettings from(Properties properties, Function<String, String> env) {
    String format = first(properties.getProperty("weir.log.format"), env.apply("WEIR_LOG_FORMAT"), "text");
    LogFormat f = switch (format.trim().toLowerCase(Locale.ROOT)) {
      case "json" -> LogFormat.JSON;
      case "text" -> LogFormat.TEXT;
      default -> {
        complain("unknown log format '" + format + "' (text or json); using text");
        yield LogFormat.TEXT;
      }
    };
    String level = first(properties.getProperty("weir.log.level"), env.apply("WEIR_LOG_LEVEL"),
        first(properties.getProperty(SIMPLE + "defaultLogLevel"), "info", "info"));
    int defaultLevel = level(level, 20);
    Map<String, Integer> levels = new HashMap<>();
    // slf4j-simple's names first, so that Weir's own setting for the same prefix wins.
    for (String prefix : new String[] {SIMPLE + "log.", "weir.log.level."}) {
      for (String key : properties.stringPropertyNames()) {
        if (key.startsWith(prefix) && key.length() > prefix.length()) {
          levels.put(key.substring(prefix.length()), level(properties.getProperty(key), defaultLevel));
        }
      }
    }
    boolean showDateTime = Boolean.parseBoolean(properties.getProperty(SIMPLE + "showDateTime", "false"));
    return new LogSettings(f, defaultLevel, levels, showDateTime);
  }

  /** The threshold for a logger: the longest configured dotted prefix of its name, else the default. */
  int levelOf(String loggerName) {
    String name = loggerName;
    while (true) {
      Integer l = levels.get(name);
      if (l != null) return l;
      int dot = name.lastIndexOf('.');
      if (dot < 0) return defaultLevel;
      name = name.substring(0, dot);
    }
  }

  private static int level(String name, int fallback) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "trace" -> 0;
      case "debug" -> 10;
      case "info" -> 20;
      case "warn", "warning" -> 30;
      case "error" -> 40;
      case "off" -> OFF;
      default -> {
        complain("unknown log level '" + name + "' (trace, debug, info, warn, error, off)");
        yield fallback;
      }
    };
  }

  private static String first(String a, String b, String otherwise) {
    if (a != null && !a.isBlank()) return a;
    if (b != null && !b.isBlank()) return b;
    return otherwise;
  }

  private static void complain(String message) {
    System.err.println("weir-logging: " + message);
  }
}
