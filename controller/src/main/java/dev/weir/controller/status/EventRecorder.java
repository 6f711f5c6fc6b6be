package dev.weir.controller.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import dev.weir.controller.logs.ObjectLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits a core/v1 Event when conditions change status or reason, so that {@code kubectl describe}
 * tells the story (Accepted, then Programmed; or Rejected and why). Events are best effort: a failure
 * to record one is logged and never blocks a status write.
 */
final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "weir-controller";

  /** Events are sent this long after the transition, off the status thread (as client-go's broadcaster does). */
  static final long DELAY_MILLIS = 1000;

  private final KubernetesClient client;
  private final ScheduledExecutorService sender;

  EventRecorder(KubernetesClient client, ScheduledExecutorService sender) {
    this.client = client;
    this.sender = sender;
  }

  /**
   * At most one Event per status write, naming every condition whose status or reason changed (the
   * transient Pending state of Programmed, and a brand-new route's first True verdicts, are not worth an
   * Event of their own). Reason and type come from
   * the first failing changed condition, else from the last changed one.
   */
  void transitions(HasMetadata object, List<Condition> before, List<Condition> after) {
    StringBuilder message = new StringBuilder();
    Condition headline = null;
    boolean warning = false;
    for (Condition c : after) {
      Condition old = before == null ? null : before.stream().filter(b -> c.getType().equals(b.getType()))
          .findFirst().orElse(null);
      boolean changed = old == null || !Objects.equals(old.getStatus(), c.getStatus())
          || !Objects.equals(old.getReason(), c.getReason());
      if (!changed || "Pending".equals(c.getReason())) continue;
      // A new route's first Accepted=True and ResolvedRefs=True say nothing Programmed=True will not:
      // only failures, recoveries and Programmed are worth an API write each.
      if (old == null && "True".equals(c.getStatus()) && !"Programmed".equals(c.getType())) continue;
      boolean bad = "False".equals(c.getStatus());
      if (message.length() > 0) message.append("; ");
      message.append(c.getType()).append('=').append(c.getStatus()).append(": ").append(c.getMessage());
      if (!warning) headline = c;
      warning |= bad;
    }
    if (headline != null) record(object, warning ? "Warning" : "Normal", headline.getReason(), message.toString());
  }

  private void record(HasMetadata o, String type, String reason, String message) {
    String now = Instant.now().toString();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(o.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
        .withNamespace(o.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(o.getApiVersion()).withKind(o.getKind())
            .withName(o.getMetadata().getName()).withNamespace(o.getMetadata().getNamespace())
            .withUid(o.getMetadata().getUid()).withResourceVersion(o.getMetadata().getResourceVersion()).build())
        .withType(type)
        .withReason(reason)
        .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    // Informational and not urgent: sent later so that it never competes with a route change in flight.
    try {
      sender.schedule(() -> {
        try {
          client.resource(event).create();
        } catch (KubernetesClientException e) {
          ObjectLog.about(log.atDebug(), o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName())
              .log("event not recorded: {}", e.getMessage());
        }
      }, DELAY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }
}
