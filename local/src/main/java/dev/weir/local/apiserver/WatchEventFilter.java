package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Drops the replay the mock sends when a watch opens. The mock starts every watch with an ADDED event for each
 * matching object, whatever resourceVersion the client asked to watch from; a real server sends only changes newer
 * than that version. Without this, {@code kubectl get -w} prints every object twice and informers see spurious
 * updates. Only ADDED events at or below the requested version are dropped: a DELETED event carries the object's
 * last stored state, whose version may well be older than the watch.
 */
final class WatchEventFilter {

  private final ObjectMapper json;
  private final long fromVersion;

  /** @param resourceVersion the watch request's resourceVersion parameter; null, "" or "0" keeps every event */
  WatchEventFilter(ObjectMapper json, String resourceVersion) {
    this.json = json;
    long version = -1;
    if (resourceVersion != null) {
      try {
        version = Long.parseLong(resourceVersion);
      } catch (NumberFormatException e) {
        version = -1;
      }
    }
    this.fromVersion = version <= 0 ? -1 : version;
  }

  boolean shouldSend(String event) {
    if (fromVersion < 0) {
      return true;
    }
    try {
      JsonNode node = json.readTree(event);
      if (!"ADDED".equals(node.path("type").asText())) {
        return true;
      }
      String version = node.path("object").path("metadata").path("resourceVersion").asText("");
      return version.isEmpty() || Long.parseLong(version) > fromVersion;
    } catch (java.io.IOException | NumberFormatException e) {
      return true;
    }
  }
}
