package dev.weir.controller.app;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * Where the control channel's bootstrap token comes from: a literal, a file, or a Secret that the
 * controller creates with a random token when it does not exist yet (so installing is one command:
 * the dataplane pods mount the same Secret and start once it exists). With mutual TLS the token is an
 * optional extra check; only a plaintext control channel requires one.
 */
final class TokenSource {
  private TokenSource() {}

  /** The configured token, or null when none is configured. */
  static String resolve(ControllerOptions options, KubernetesClient client) throws IOException {
    if (options.token() != null && !options.token().isBlank()) return options.token().trim();
    if (options.tokenFile() != null) {
      String t = Files.readString(options.tokenFile(), StandardCharsets.UTF_8).trim();
      if (t.isEmpty()) throw new IllegalArgumentException("token file " + options.tokenFile() + " is empty");
      return t;
    }
    String env = System.getenv("WEIR_TOKEN");
    if (env != null && !env.isBlank()) return env.trim();
    if (options.tokenSecret() != null) return fromSecret(options.tokenSecret(), client);
    return null;
  }

  private static String fromSecret(String ref, KubernetesClient client) {
    String[] parts = ref.split("/", 2);
    if (parts.length != 2) throw new IllegalArgumentException("--token-secret must be NAMESPACE/NAME, got " + ref);
    var secrets = client.secrets().inNamespace(parts[0]);
    for (int attempt = 0; attempt < 3; attempt++) {
      Secret existing = secrets.withName(parts[1]).get();
      if (existing != null) return read(existing, ref);
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = HexFormat.of().formatHex(random);
      try {
        secrets.resource(new SecretBuilder().withNewMetadata().withName(parts[1]).withNamespace(parts[0])
            .addToLabels("app.kubernetes.io/part-of", "weir").endMetadata()
            .withType("Opaque").withStringData(Map.of("token", token)).build()).create();
        return token;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) throw e; // another controller replica created it first: read theirs
      }
    }
    throw new IllegalStateException("could not read or create token secret " + ref);
  }

  private static String read(Secret secret, String ref) {
    if (secret.getData() != null && secret.getData().get("token") != null) {
      return new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8).trim();
    }
    if (secret.getStringData() != null && secret.getStringData().get("token") != null) {
      return secret.getStringData().get("token").trim();
    }
    throw new IllegalArgumentException("secret " + ref + " has no key 'token'");
  }
}
