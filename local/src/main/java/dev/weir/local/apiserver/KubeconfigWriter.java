package dev.weir.local.apiserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a kubeconfig for the embedded server: cluster and context "weir-local", namespace default, a bearer token
 * (the server checks none: it listens on loopback only). Written to a temporary file and moved into place, so a
 * kubectl started concurrently never reads half a file.
 */
final class KubeconfigWriter {

  static final String NAME = "weir-local";

  private KubeconfigWriter() {}

  static String render(String serverUrl, String token) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
        users:
        - name: %1$s
          user:
            token: %3$s
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: default
        current-context: %1$s
        preferences: {}
        """.formatted(NAME, serverUrl, token);
  }

  static void write(Path file, String serverUrl, String token) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path temp = Files.createTempFile(dir, ".kubeconfig", ".tmp");
    try {
      Files.writeString(temp, render(serverUrl, token), StandardCharsets.UTF_8);
      Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
