package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The two things a real API server does with a CRD's structural schema on every write, and kubectl users notice:
 * defaulting ({@code default:} values fill absent fields, e.g. a backend's weight) and pruning of unknown fields,
 * which {@code kubectl apply} (fieldValidation=Strict) turns into an error for a typo such as {@code spec.hostz}.
 * Value validation (types, ranges, required, CEL rules) is not done.
 */
final class CrdSchemaRules {

  private CrdSchemaRules() {}

  /** Fills absent fields that have a default, recursively (the object is modified in place). */
  static void applyDefaults(JsonNode schema, JsonNode node) {
    if (node.isObject() && schema.path("properties").isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.get("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        JsonNode child = node.get(property.getKey());
        if (child == null && property.getValue().has("default")) {
          ((ObjectNode) node).set(property.getKey(), property.getValue().get("default").deepCopy());
          child = node.get(property.getKey());
        }
        if (child != null) {
          applyDefaults(property.getValue(), child);
        }
      }
    } else if (node.isArray() && schema.path("items").isObject()) {
      node.forEach(element -> applyDefaults(schema.get("items"), element));
    }
  }

  /**
   * Removes fields the schema does not declare (unless it preserves unknown fields) and returns their paths, as
   * "spec.hostz" or "spec.rules[0].backendz". apiVersion, kind and metadata are left alone.
   */
  static List<String> pruneUnknown(JsonNode schema, ObjectNode object) {
    List<String> pruned = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (name.equals("apiVersion") || name.equals("kind") || name.equals("metadata")) {
        continue;
      }
      JsonNode propertySchema = schema.path("properties").get(name);
      if (propertySchema == null) {
        if (!preservesUnknown(schema)) {
          pruned.add(name);
          it.remove();
        }
      } else {
        prune(propertySchema, field.getValue(), name, pruned);
      }
    }
    return pruned;
  }

  private static void prune(JsonNode schema, JsonNode node, String path, List<String> pruned) {
    if (preservesUnknown(schema)) {
      return;
    }
    if (node.isObject()) {
      JsonNode properties = schema.get("properties");
      JsonNode additional = schema.get("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String childPath = path + "." + field.getKey();
        JsonNode childSchema = properties == null ? null : properties.get(field.getKey());
        if (childSchema != null) {
          prune(childSchema, field.getValue(), childPath, pruned);
        } else if (additional != null && additional.isObject()) {
          prune(additional, field.getValue(), childPath, pruned);
        } else if (properties != null || (additional != null && !additional.asBoolean(true))) {
          pruned.add(childPath);
          it.remove();
        }
      }
    } else if (node.isArray() && schema.path("items").isObject()) {
      for (int i = 0; i < node.size(); i++) {
        prune(schema.get("items"), node.get(i), path + "[" + i + "]", pruned);
      }
    }
  }

  private static boolean preservesUnknown(JsonNode schema) {
    return schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
  }
}
