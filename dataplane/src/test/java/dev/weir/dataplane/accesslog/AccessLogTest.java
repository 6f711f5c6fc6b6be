package dev.weir.dataplane.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weir.dataplane.proxy.RequestStats;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogTest {

  /**
   * The access log wraps the metrics: a RequestStats method it does not override would silently stop
   * reaching the metrics whenever the access log is on (as four retry and breaker counters once did).
   */
  @Test
  void overridesEveryRequestStatsMethodSoNoneIsLostOnTheWayToTheMetrics() {
    List<String> missing = Arrays.stream(RequestStats.class.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .filter(m -> declaredIn(m) != AccessLog.class)
        .map(Method::getName)
        .toList();
    assertEquals(List.of(), missing);
  }

  private static Class<?> declaredIn(Method m) {
    try {
      return AccessLog.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass();
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }
}
