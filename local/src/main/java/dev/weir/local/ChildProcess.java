package dev.weir.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Weir component as a child process: its output (stdout and stderr) relayed line by line under
 * its id, and the groups of the first line that matches its ready pattern (the one line each
 * component prints when it listens, e.g. {@code weir dataplane ready http=...}).
 */
public final class ChildProcess implements AutoCloseable {
  private final String id;
  private final Pattern ready;
  private final Process process;
  private final CompletableFuture<List<String>> readyGroups = new CompletableFuture<>();

  private ChildProcess(String id, Pattern ready, Process process) {
    this.id = id;
    this.ready = ready;
    this.process = process;
    Thread relay = new Thread(this::relay, "relay-" + id);
    relay.setDaemon(true);
    relay.start();
  }

  public static ChildProcess start(String id, List<String> command, Pattern ready) throws IOException {
    return new ChildProcess(id, ready, new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  private void relay() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        Matcher m = ready.matcher(line);
        if (!readyGroups.isDone() && m.find()) {
          List<String> groups = new ArrayList<>();
          for (int g = 1; g <= m.groupCount(); g++) groups.add(m.group(g));
          readyGroups.complete(groups);
        }
        System.out.println("[" + id + "] " + line);
      }
    } catch (IOException e) {
      // The process went away; exit status tells the rest.
    }
    readyGroups.completeExceptionally(new IllegalStateException(
        id + " exited before it was ready (exit " + (process.isAlive() ? "?" : process.exitValue()) + ")"));
  }

  /** Blocks until the ready line; returns its pattern's groups. */
  public List<String> awaitReady(long timeoutMillis) throws Exception {
    try {
      return readyGroups.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(id + " not ready within " + timeoutMillis + " ms");
    }
  }

  public String id() {
    return id;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, as the kubelet sends it: the component drains and exits on its own. Does not wait. */
  public void terminate() {
    process.destroy();
  }

  /** What a node failure does: SIGKILL, nothing released; waits up to 10 s for the exit. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Waits up to {@code millis} for the process to exit; its exit status, or empty if it still runs. */
  public OptionalInt awaitExit(long millis) throws InterruptedException {
    return process.waitFor(millis, TimeUnit.MILLISECONDS) ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
  }

  /** SIGTERM, so the component drains; SIGKILL if it takes more than 15 s. */
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
