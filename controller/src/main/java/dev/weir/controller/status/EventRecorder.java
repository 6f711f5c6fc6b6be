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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits a core/v1 Event when a condition changes status or reason, so that {@code kubectl describe}
 * tells the story (Accepted, then Programmed; or Rejected and why). Events are best effort: a failure
 * to record one is logged and never blocks a status write.
 */
final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "weir-controller";

  private final KubernetesClient client;

  EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** One Event per condition whose status or reason differs between {@code before} and {@code after}. */
  void transitions(HasMetadata object, List<Condition> before, List<Condition> after) {
    for (Condition c : after) {
      Condition old = before == null ? null : before.stream().filter(b -> c.getType().equals(b.getType()))
          .findFirst().orElse(null);
      if (old != null && Objects.equals(old.getStatus(), c.getStatus()) && Objects.equals(old.getReason(), c.getReason())) {
        continue;
      }
      boolean bad = "False".equals(c.getStatus()) && !"Pending".equals(c.getReason());
      record(object, bad ? "Warning" : "Normal", c.getReason(), c.getType() + "=" + c.getStatus() + ": " + c.getMessage());
    }
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
    try {
      client.resource(event).create();
    } catch (KubernetesClientException e) {
      log.debug("event for {}/{} not recorded: {}", o.getMetadata().getNamespace(), o.getMetadata().getName(),
          e.getMessage());
    }
  }
}
