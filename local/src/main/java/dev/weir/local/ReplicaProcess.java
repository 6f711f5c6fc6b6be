package dev.weir.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One dataplane replica as a child process, started exactly as the container image starts it
 * ({@code weir dataplane ...}), with its output relayed line by line under its name.
 */
public final class ReplicaProcess implements AutoCloseable {
  private static final Pattern READY =
      Pattern.compile("weir dataplane ready http=(\\d+) https=(\\S+) admin=(\\d+) replica=(\\S+)");

  private final ChildProcess process;

  private ReplicaProcess(ChildProcess process) {
    this.process = process;
  }

  /** @param args the options after {@code weir dataplane} */
  public static ReplicaProcess start(String id, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(launcher());
    command.addAll(args);
    return new ReplicaProcess(ChildProcess.start(id, command, READY));
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

  /** Blocks until the replica prints its ready line; returns {http, https, admin} ports. */
  public int[] awaitReady(long timeoutMillis) throws Exception {
    List<String> g = process.awaitReady(timeoutMillis);
    int https = g.get(1).equals("-") ? 0 : Integer.parseInt(g.get(1));
    return new int[] {Integer.parseInt(g.get(0)), https, Integer.parseInt(g.get(2))};
  }

  public String id() {
    return process.id();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, as the kubelet sends it: the replica drains and exits on its own. Does not wait. */
  public void terminate() {
    process.terminate();
  }

  /** Waits up to {@code millis} for the process to exit; its exit status, or empty if it still runs. */
  public OptionalInt awaitExit(long millis) throws InterruptedException {
    return process.awaitExit(millis);
  }

  /** SIGTERM, so the replica drains; SIGKILL if it takes too long. */
  @Override
  public void close() {
    process.close();
  }
}
