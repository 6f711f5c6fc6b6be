package dev.weir.e2e.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code weir controller} as a child process (the test JVM's classpath, {@code ControllerMain}), so
 * that a test can kill it the way a node failure does: SIGKILL, no Lease released, sockets reset.
 */
final class ControllerProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("weir controller ready control=(\\d+) admin=(\\d+)");

  private final String id;
  private final Process process;
  private final CompletableFuture<int[]> ports = new CompletableFuture<>();

  private ControllerProcess(String id, Process process) {
    this.id = id;
    this.process = process;
    Thread relay = new Thread(this::relay, "relay-" + id);
    relay.setDaemon(true);
    relay.start();
  }

  /** @param kubeconfig the API server to use, or null to inherit {@code KUBECONFIG} */
  static ControllerProcess start(String id, Path kubeconfig, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "dev.weir.controller.app.ControllerMain"));
    if (kubeconfig != null) command.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    command.addAll(args);
    return new ControllerProcess(id, new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  private void relay() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        Matcher m = READY.matcher(line);
        if (m.find()) ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
        System.out.println("[" + id + "] " + line);
      }
    } catch (IOException e) {
      // gone; the exit status tells the rest
    }
    ports.completeExceptionally(new IllegalStateException("controller " + id + " exited before it was ready"));
  }

  /** Blocks until the ready line; returns {control, admin} ports. */
  int[] awaitReady(long millis) throws Exception {
    return ports.get(millis, TimeUnit.MILLISECONDS);
  }

  int adminPort() {
    return ports.join()[1];
  }

  int controlPort() {
    return ports.join()[0];
  }

  /** What a node failure does: SIGKILL; the Lease stays held until it expires. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
