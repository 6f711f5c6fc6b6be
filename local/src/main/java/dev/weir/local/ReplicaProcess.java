package dev.weir.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One dataplane replica as a child process, started exactly as the container image starts it
 * ({@code weir dataplane ...}), with its output relayed line by line under its name.
 */
public final class ReplicaProcess implements AutoCloseable {
  private static final Pattern READY =
      Pattern.compile("weir dataplane ready http=(\\d+) https=(\\S+) admin=(\\d+) replica=(\\S+)");

  private final String id;
  private final Process process;
  private final CompletableFuture<int[]> ports = new CompletableFuture<>();

  private ReplicaProcess(String id, Process process) {
    this.id = id;
    this.process = process;
    Thread relay = new Thread(this::relay, "relay-" + id);
    relay.setDaemon(true);
    relay.start();
  }

  /** @param args the options after {@code weir dataplane} */
  public static ReplicaProcess start(String id, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(launcher());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    return new ReplicaProcess(id, pb.start());
  }

  /** {@code bin/weir dataplane} when started through the launcher, else the same JVM and classpath. */
  private static List<String> launcher() {
    String launcher = System.getProperty("weir.launcher");
    if (launcher != null && !launcher.isBlank()) return List.of(launcher, "dataplane");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // JVM options for the replicas (benchmarks, debugging), space-separated.
    String jvmArgs = System.getProperty("weir.dataplane.jvmArgs", "").trim();
    if (!jvmArgs.isEmpty()) command.addAll(List.of(jvmArgs.split("\\s+")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.weir.dataplane.app.DataplaneMain"));
    return command;
  }

  private void relay() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        Matcher m = READY.matcher(line);
        if (m.find() && !ports.isDone()) {
          int https = m.group(2).equals("-") ? 0 : Integer.parseInt(m.group(2));
          ports.complete(new int[] {Integer.parseInt(m.group(1)), https, Integer.parseInt(m.group(3))});
        }
        System.out.println("[" + id + "] " + line);
      }
    } catch (IOException e) {
      // The process went away; exit status tells the rest.
    }
    ports.completeExceptionally(new IllegalStateException(
        "dataplane " + id + " exited before it was ready (exit " + (process.isAlive() ? "?" : process.exitValue()) + ")"));
  }

  /** Blocks until the replica prints its ready line; returns {http, https, admin} ports. */
  public int[] awaitReady(long timeoutMillis) throws Exception {
    try {
      return ports.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("dataplane " + id + " not ready within " + timeoutMillis + " ms");
    }
  }

  public String id() {
    return id;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, as the kubelet sends it: the replica drains and exits on its own. Does not wait. */
  public void terminate() {
    process.destroy();
  }

  /** Waits up to {@code millis} for the process to exit; its exit status, or empty if it still runs. */
  public java.util.OptionalInt awaitExit(long millis) throws InterruptedException {
    return process.waitFor(millis, TimeUnit.MILLISECONDS) ? java.util.OptionalInt.of(process.exitValue())
        : java.util.OptionalInt.empty();
  }

  /** SIGTERM, so the replica drains; SIGKILL if it takes too long. */
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
