package dev.weir.local.apiserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl against a kubeconfig, with a private discovery cache and a hard timeout per command. */
final class Kubectl {

  static final long TIMEOUT_SECONDS = 20;

  private final String binary;
  private final Path kubeconfig;
  private final Path cacheDir;

  Kubectl(String binary, Path kubeconfig, Path cacheDir) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
  }

  /** The kubectl on this machine (KUBECTL env, /usr/bin/kubectl or the PATH), or null when there is none. */
  static String find() {
    List<String> candidates = new ArrayList<>();
    String env = System.getenv("KUBECTL");
    if (env != null && !env.isBlank()) {
      candidates.add(env);
    }
    candidates.add("/usr/bin/kubectl");
    candidates.add("/usr/local/bin/kubectl");
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        candidates.add(dir + "/kubectl");
      }
    }
    return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst().orElse(null);
  }

  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Result run(String... args) {
    Process process = start(args);
    try {
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS
            + " s; output so far: " + out.getNow("") + err.getNow(""));
      }
      return new Result(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  /** Starts kubectl without waiting (for -w); the caller destroys the process. */
  Process start(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.add("--kubeconfig=" + kubeconfig);
    command.add("--cache-dir=" + cacheDir);
    command.add("--request-timeout=10s");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("KUBECONFIG");
    builder.environment().put("HOME", cacheDir.toString());
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }
}
