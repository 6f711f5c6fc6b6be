package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;

/**
 * Messages on the control channel between controller and dataplane.
 *
 * <p>Wire format: each message is one frame, a 4-byte big-endian length followed by that many bytes
 * of UTF-8 JSON as written by {@link SnapshotJson#encode(ChannelMessage)}, with a {@code "type"}
 * property naming the message. The dataplane dials the controller and sends {@link Hello} first; the
 * controller answers {@link Refused} (and closes) or with a {@link Push} of its newest snapshot, then
 * pushes every newer one. The dataplane answers each push with {@link Ack} or {@link Nack}. Both sides
 * send {@link Heartbeat}s; the dataplane also sends {@link Report}s.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ChannelMessage.Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = ChannelMessage.Refused.class, name = "refused"),
  @JsonSubTypes.Type(value = ChannelMessage.Push.class, name = "push"),
  @JsonSubTypes.Type(value = ChannelMessage.Ack.class, name = "ack"),
  @JsonSubTypes.Type(value = ChannelMessage.Nack.class, name = "nack"),
  @JsonSubTypes.Type(value = ChannelMessage.Heartbeat.class, name = "heartbeat"),
  @JsonSubTypes.Type(value = ChannelMessage.Report.class, name = "report"),
})
public sealed interface ChannelMessage {

  /** Largest frame either side accepts: snapshots with many routes and certificates are big. */
  int MAX_FRAME_BYTES = 64 * 1024 * 1024;

  /** Protocol version; a peer speaking another one is refused with a clear reason. */
  int PROTOCOL = 1;

  /** First message from the dataplane. {@code lastAppliedVersion} is 0 when it has none. */
  record Hello(int protocol, String replicaId, long lastAppliedVersion, String lastAppliedHash, String token)
      implements ChannelMessage {
    @Override
    public String toString() {
      return "Hello[protocol=" + protocol + ", replicaId=" + replicaId + ", lastAppliedVersion="
          + lastAppliedVersion + ", token=<redacted>]";
    }
  }

  /** The controller will not talk to this peer (bad token, wrong protocol); it closes after sending. */
  record Refused(String reason) implements ChannelMessage {}

  /** A full snapshot to apply. */
  record Push(Snapshot snapshot) implements ChannelMessage {}

  record Ack(long version) implements ChannelMessage {}

  /** The dataplane could not apply {@code version} and keeps serving the last good one. */
  record Nack(long version, String reason) implements ChannelMessage {}

  record Heartbeat(long sentAtMillis) implements ChannelMessage {}

  /**
   * Periodic state of one dataplane replica.
   *
   * @param routeRequests requests served per route name since the replica started
   */
  record Report(
      String replicaId,
      boolean ready,
      long appliedVersion,
      String appliedHash,
      long activeConnections,
      long requestsTotal,
      Map<String, Long> routeRequests)
      implements ChannelMessage {
    public Report {
      routeRequests = routeRequests == null ? Map.of() : Map.copyOf(routeRequests);
    }
  }
}
