package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a real API server (or the controllers every cluster runs) does to an object on its way into storage, and the
 * mock does not: Secret stringData folded into data, initial status for kinds that clients wait on, and the CRD
 * schema's pruning and defaulting.
 */
final class WriteAdmission {

  private WriteAdmission() {}

  /**
   * Secrets: a real server merges write-only stringData into data (base64) and never stores stringData. The mock
   * stores it as sent, and a controller reading data would find nothing.
   */
  static void foldStringData(ResourceType type, ObjectNode body) {
    if (!type.kind().equals("Secret") || !type.group().isEmpty() || !body.path("stringData").isObject()) {
      return;
    }
    ObjectNode data = body.path("data").isObject() ? (ObjectNode) body.get("data") : body.putObject("data");
    body.get("stringData").fields().forEachRemaining(f -> data.put(f.getKey(),
        Base64.getEncoder().encodeToString(f.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    body.remove("stringData");
  }

  /** What a real cluster puts into status right after creation, for kinds where clients wait on it. */
  static Optional<ObjectNode> initialStatus(ResourceType type, ObjectNode body) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    if (type.kind().equals("Namespace")) {
      status.put("phase", "Active");
      return Optional.of(status);
    }
    if (type.kind().equals("CustomResourceDefinition")) {
      // fabric8's waitUntilCondition(Established) and kubectl wait --for=condition=Established rely on these.
      status.set("acceptedNames", body.path("spec").path("names").deepCopy());
      var conditions = status.putArray("conditions");
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      for (String[] condition : new String[][] {
          {"NamesAccepted", "NoConflicts", "no conflicts found"},
          {"Established", "InitialNamesAccepted", "the initial names have been accepted"}}) {
        ObjectNode c = conditions.addObject();
        c.put("type", condition[0]);
        c.put("status", "True");
        c.put("lastTransitionTime", now);
        c.put("reason", condition[1]);
        c.put("message", condition[2]);
      }
      var stored = status.putArray("storedVersions");
      body.path("spec").path("versions").forEach(v -> {
        if (v.path("storage").asBoolean(false)) {
          stored.add(v.path("name").asText());
        }
      });
      return Optional.of(status);
    }
    return Optional.empty();
  }

  /**
   * CRD schema rules on a write: unknown fields are pruned (an error with fieldValidation=Strict, which kubectl
   * sends; a warning otherwise, the server default being Warn), then defaults are filled in.
   *
   * @return the warnings to send back
   * @throws BadRequestException for unknown fields under Strict
   */
  static List<String> enforceSchema(
      ResourceType type, Optional<JsonNode> schema, String fieldValidation, ObjectNode body) {
    if (schema.isEmpty()) {
      return List.of();
    }
    List<String> unknown = CrdSchemaRules.pruneUnknown(schema.get(), body);
    String mode = fieldValidation == null ? "Warn" : fieldValidation;
    if (!unknown.isEmpty() && mode.equalsIgnoreCase("Strict")) {
      throw new BadRequestException(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
          + type.kind() + ": strict decoding error: " + unknown.stream().map(f -> "unknown field \"" + f + "\"")
          .collect(Collectors.joining(", ")));
    }
    CrdSchemaRules.applyDefaults(schema.get(), body);
    return mode.equalsIgnoreCase("Ignore") ? List.of()
        : unknown.stream().map(f -> "unknown field \"" + f + "\"").toList();
  }
}
