package dev.weir.dataplane.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the dataplane talks to its controller.
 *
 * @param host controller host name or address
 * @param token bootstrap token sent in the hello ("" for none)
 * @param heartbeatInterval a heartbeat is sent this often; a peer silent for three intervals is dead
 * @param reportInterval a report is sent this often (and after every apply)
 * @param initialBackoff first reconnect delay; it doubles per failed attempt up to {@code maxBackoff}, with jitter
 * @param tlsDir directory with {@code tls.crt}, {@code tls.key} and {@code ca.crt} for mutual TLS, or null
 *     for plaintext (a controller started with {@code --insecure-control-channel})
 */
public record ControlChannelSettings(
    String host,
    int port,
    String replicaId,
    String token,
    Duration heartbeatInterval,
    Duration reportInterval,
    Duration initialBackoff,
    Duration maxBackoff,
    Path tlsDir) {

  public static ControlChannelSettings of(String host, int port, String replicaId, String token) {
    return new ControlChannelSettings(
        host, port, replicaId, token == null ? "" : token, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(5), null);
  }

  public ControlChannelSettings withIntervals(Duration heartbeat, Duration report) {
    return new ControlChannelSettings(host, port, replicaId, token, heartbeat, report, initialBackoff, maxBackoff, tlsDir);
  }

  public ControlChannelSettings withBackoff(Duration initial, Duration max) {
    return new ControlChannelSettings(host, port, replicaId, token, heartbeatInterval, reportInterval, initial, max, tlsDir);
  }

  public ControlChannelSettings withTlsDir(Path dir) {
    return new ControlChannelSettings(host, port, replicaId, token, heartbeatInterval, reportInterval, initialBackoff, maxBackoff, dir);
  }
}
