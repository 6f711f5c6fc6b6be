package dev.weir.dataplane.config;

import java.time.Duration;

/**
 * How the dataplane talks to its controller.
 *
 * @param host controller host name or address
 * @param token bootstrap token sent in the hello ("" for none)
 * @param heartbeatInterval a heartbeat is sent this often; a peer silent for three intervals is dead
 * @param reportInterval a report is sent this often (and after every apply)
 * @param initialBackoff first reconnect delay; it doubles per failed attempt up to {@code maxBackoff}, with jitter
 */
public record ControlChannelSettings(
    String host,
    int port,
    String replicaId,
    String token,
    Duration heartbeatInterval,
    Duration reportInterval,
    Duration initialBackoff,
    Duration maxBackoff) {

  public static ControlChannelSettings of(String host, int port, String replicaId, String token) {
    return new ControlChannelSettings(
        host, port, replicaId, token == null ? "" : token, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  public ControlChannelSettings withIntervals(Duration heartbeat, Duration report) {
    return new ControlChannelSettings(host, port, replicaId, token, heartbeat, report, initialBackoff, maxBackoff);
  }

  public ControlChannelSettings withBackoff(Duration initial, Duration max) {
    return new ControlChannelSettings(host, port, replicaId, token, heartbeatInterval, reportInterval, initial, max);
  }
}
