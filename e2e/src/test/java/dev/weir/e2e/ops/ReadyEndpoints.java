package dev.weir.e2e.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The readiness half of a Service: probes each replica's {@code /readyz} on its admin port every
 * {@code period} (the kubelet's readiness probe) and lists the ready ones' traffic ports (the
 * EndpointSlice that kube-proxy follows). A replica is listed after one passed probe and dropped
 * after one failed probe; in a cluster it takes {@code failureThreshold x periodSeconds} plus
 * propagation, which is what {@code --shutdown-delay} must cover.
 */
final class ReadyEndpoints implements AutoCloseable {

  /** One replica: where its traffic goes and where it is probed. */
  record Replica(String id, int trafficPort, int adminPort) {}

  private final Map<Replica, Boolean> replicas = new ConcurrentHashMap<>();
  private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "readiness-prober");
    t.setDaemon(true);
    return t;
  });

  ReadyEndpoints(long periodMillis) {
    prober.scheduleWithFixedDelay(this::probeAll, 0, periodMillis, TimeUnit.MILLISECONDS);
  }

  void add(Replica r) {
    replicas.putIfAbsent(r, false);
  }

  /** The replica's pod is gone (its process exited). */
  void remove(Replica r) {
    replicas.remove(r);
  }

  List<Replica> ready() {
    return replicas.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
        .sorted(java.util.Comparator.comparing(Replica::id)).toList();
  }

  private void probeAll() {
    for (Replica r : replicas.keySet()) {
      boolean ok = probe(r.adminPort());
      replicas.computeIfPresent(r, (k, v) -> ok);
    }
  }

  static boolean probe(int adminPort) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort), 500);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("GET /readyz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(12);
      return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    prober.shutdownNow();
  }
}
