package dev.weir.logging;

import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * One event, its message already formatted.
 *
 * @param keyValues in the order they were added
 * @param mdc may be empty, never null
 * @param error null when none
 */
record LogLine(long epochMillis, Level level, String logger, String thread, String message,
    List<KeyValuePair> keyValues, Map<String, String> mdc, Throwable error) {}
