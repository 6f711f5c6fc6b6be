package dev.weir.controller.logs;

import dev.weir.controller.translate.ObjectRef;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Names the object a log line is about, as key-value pairs (SLF4J 2's fluent API), so that every line
 * about one object can be found by {@code kind}, {@code namespace} and {@code name}, or by {@code replica}
 * (Strimzi's ReconciliationLogger does the same with a prefix). Costs nothing when the level is off:
 * {@code log.atDebug()} then returns a no-op builder.
 *
 * <pre>ObjectLog.about(log.atWarn(), "ProxyRoute", ns, name).addKeyValue("reason", r).log("status not written");</pre>
 */
public final class ObjectLog {
  public static final String KIND = "kind";
  public static final String NAMESPACE = "namespace";
  public static final String NAME = "name";
  public static final String REPLICA = "replica";

  private ObjectLog() {}

  /** @param namespace null for a cluster-scoped object (then no namespace key) */
  public static LoggingEventBuilder about(LoggingEventBuilder event, String kind, String namespace, String name) {
    event.addKeyValue(KIND, kind);
    if (namespace != null) event.addKeyValue(NAMESPACE, namespace);
    return event.addKeyValue(NAME, name);
  }

  public static LoggingEventBuilder about(LoggingEventBuilder event, ObjectRef ref) {
    return about(event, ref.kind(), ref.namespace(), ref.name());
  }

  /** A {@code namespace/name} reference, e.g. a command-line option's. */
  public static LoggingEventBuilder about(LoggingEventBuilder event, String kind, String namespacedName) {
    int slash = namespacedName == null ? -1 : namespacedName.indexOf('/');
    return slash < 0 ? about(event, kind, null, namespacedName)
        : about(event, kind, namespacedName.substring(0, slash), namespacedName.substring(slash + 1));
  }

  public static LoggingEventBuilder replica(LoggingEventBuilder event, String replicaId) {
    return event.addKeyValue(REPLICA, replicaId);
  }
}
