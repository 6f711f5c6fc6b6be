package dev.weir.e2e.ops;

import dev.weir.local.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code weir controller} as a child process (the test JVM's classpath, {@code ControllerMain}), so
 * that a test can kill it the way a node failure does: SIGKILL, no Lease released, sockets reset.
 */
final class ControllerProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("weir controller ready control=(\\d+) admin=(\\d+)");

  private final ChildProcess process;
  private volatile int[] ports;

  private ControllerProcess(ChildProcess process) {
    this.process = process;
  }

  /** @param kubeconfig the API server to use, or null to inherit {@code KUBECONFIG} */
  static ControllerProcess start(String id, Path kubeconfig, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "dev.weir.controller.app.ControllerMain"));
    if (kubeconfig != null) command.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    command.addAll(args);
    return new ControllerProcess(ChildProcess.start(id, command, READY));
  }

  /** Blocks until the ready line; returns {control, admin} ports. */
  int[] awaitReady(long millis) throws Exception {
    List<String> g = process.awaitReady(millis);
    ports = new int[] {Integer.parseInt(g.get(0)), Integer.parseInt(g.get(1))};
    return ports;
  }

  int controlPort() {
    return ports[0];
  }

  int adminPort() {
    return ports[1];
  }

  /** What a node failure does: SIGKILL; the Lease stays held until it expires. */
  void kill() throws InterruptedException {
    process.kill();
  }

  @Override
  public void close() {
    process.close();
  }
}
