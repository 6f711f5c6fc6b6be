package dev.weir.dataplane.accesslog;

import java.nio.file.Path;

/**
 * Where the access log goes: {@code --access-log stdout|off|FILE}.
 *
 * @param file the file lines are appended to; null for stdout or off
 */
public record AccessLogTarget(Kind kind, Path file) {

  public enum Kind { OFF, STDOUT, FILE }

  public static final AccessLogTarget OFF = new AccessLogTarget(Kind.OFF, null);
  public static final AccessLogTarget STDOUT = new AccessLogTarget(Kind.STDOUT, null);

  public AccessLogTarget {
    if ((kind == Kind.FILE) != (file != null)) {
      throw new IllegalArgumentException("a file goes with kind FILE, and only with it");
    }
  }

  public static AccessLogTarget file(Path file) {
    return new AccessLogTarget(Kind.FILE, file);
  }

  /** {@code stdout}, {@code off}, or a file path. */
  public static AccessLogTarget parse(String value) {
    return switch (value) {
      case "stdout", "-" -> STDOUT;
      case "off" -> OFF;
      default -> {
        if (value.isBlank()) {
          throw new IllegalArgumentException("--access-log must be stdout, off or a file");
        }
        yield file(Path.of(value));
      }
    };
  }

  @Override
  public String toString() {
    return kind == Kind.FILE ? file.toString() : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
