package dev.weir.logging;

import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * A logger with a fixed threshold. A disabled level costs one int comparison: the classic calls return
 * early in {@code is...Enabled}, and the fluent {@code atDebug()} hands out SLF4J's no-op builder.
 * Fluent calls arrive through {@link #log(LoggingEvent)} with their key-value pairs.
 */
final class WeirLogger extends LegacyAbstractLogger implements LoggingEventAware {
  private static final long serialVersionUID = 1L;

  private final int threshold;
  private final transient WeirLoggerFactory factory;

  WeirLogger(String name, int threshold, WeirLoggerFactory factory) {
    this.name = name;
    this.threshold = threshold;
    this.factory = factory;
  }

  private boolean enabled(int level) {
    return level >= threshold;
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE.toInt());
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG.toInt());
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO.toInt());
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN.toInt());
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR.toInt());
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
    String message = args == null || args.length == 0 ? String.valueOf(pattern)
        : MessageFormatter.basicArrayFormat(pattern, args);
    emit(level, message, List.of(), t);
  }

  @Override
  public void log(LoggingEvent event) {
    if (!enabled(event.getLevel().toInt())) return;
    Object[] args = event.getArgumentArray();
    String message;
    Throwable t = event.getThrowable();
    if (args == null || args.length == 0) {
      message = String.valueOf(event.getMessage());
    } else {
      FormattingTuple tuple = MessageFormatter.arrayFormat(event.getMessage(), args);
      message = tuple.getMessage();
      if (t == null) t = tuple.getThrowable();
    }
    emit(event.getLevel(), message, event.getKeyValuePairs() == null ? List.of() : event.getKeyValuePairs(), t);
  }

  private void emit(Level level, String message, List<org.slf4j.event.KeyValuePair> keyValues, Throwable t) {
    factory.write(new LogLine(System.currentTimeMillis(), level, name, Thread.currentThread().getName(), message,
        keyValues, factory.mdc(), t));
  }
}
