package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpenAPI v3 documents (/openapi/v3 and /openapi/v3/api/v1, /openapi/v3/apis/GROUP/VERSION), served so that plain
 * {@code kubectl apply} works without {@code --validate=false}.
 *
 * <p>Why this is enough: kubectl 1.32 first asks OpenAPI v3 whether the PATCH operation of the object's kind takes a
 * {@code fieldValidation} query parameter. If it does, kubectl leaves validation to the server and never downloads
 * the OpenAPI v2 document (which it wants as protobuf, a format this server does not produce). So every kind gets
 * PATCH operations that declare fieldValidation; the server accepts and ignores it (no server-side validation).
 *
 * <p>The PATCH operations deliberately do not list application/strategic-merge-patch+json: kubectl then computes its
 * strategic merge patches from its compiled-in types (which know the real merge keys) instead of from the
 * permissive schemas here, which know nothing about list merge keys. Built-in kinds get permissive schemas; CRDs get
 * their openAPIV3Schema, which also makes {@code kubectl explain proxyroute.spec} useful.
 */
final class OpenApiDocuments {

  private static final List<String> PATCH_TYPES =
      List.of("application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml");

  private final ObjectMapper json;
  private final String kubernetesVersion;

  OpenApiDocuments(ObjectMapper json, String kubernetesVersion) {
    this.json = json;
    this.kubernetesVersion = kubernetesVersion;
  }

  /** GET /openapi/v3: one entry per group version, each with a content hash so kubectl's cache stays correct. */
  String index(ServedResources served) {
    ObjectNode root = json.createObjectNode();
    ObjectNode paths = root.putObject("paths");
    for (Map.Entry<String, List<ResourceType>> gv : served.byGroupVersion().entrySet()) {
      String key = gv.getValue().get(0).openApiKey();
      String document = groupVersionDocument(served, gv.getValue());
      paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash(document));
    }
    return root.toString();
  }

  /** GET /openapi/v3/KEY where KEY is api/v1 or apis/GROUP/VERSION; empty when not served. */
  Optional<String> document(ServedResources served, String key) {
    for (List<ResourceType> types : served.byGroupVersion().values()) {
      if (types.get(0).openApiKey().equals(key)) {
        return Optional.of(groupVersionDocument(served, types));
      }
    }
    return Optional.empty();
  }

  private String groupVersionDocument(ServedResources served, List<ResourceType> types) {
    ObjectNode root = json.createObjectNode();
    root.put("openapi", "3.0.0");
    ObjectNode info = root.putObject("info");
    info.put("title", "Kubernetes (Weir embedded API server)");
    info.put("version", kubernetesVersion);
    ObjectNode paths = root.putObject("paths");
    ObjectNode schemas = root.putObject("components").putObject("schemas");
    for (ResourceType type : types) {
      String schemaName = schemaName(type);
      schemas.set(schemaName, kindSchema(served, type));
      String base = type.apiPrefix() + (type.namespaced() ? "/namespaces/{namespace}/" : "/") + type.plural();
      ObjectNode collection = paths.putObject(base);
      pathParameters(collection, type.namespaced(), false);
      collection.set("get", operation(type, "list", schemaName, List.of()));
      collection.set("post", operation(type, "post", schemaName, List.of("application/json", "application/yaml")));
      ObjectNode object = paths.putObject(base + "/{name}");
      pathParameters(object, type.namespaced(), true);
      object.set("get", operation(type, "get", schemaName, List.of()));
      object.set("put", operation(type, "put", schemaName, List.of("application/json", "application/yaml")));
      object.set("patch", operation(type, "patch", schemaName, PATCH_TYPES));
      object.set("delete", operation(type, "delete", schemaName, List.of()));
      if (type.statusSubresource()) {
        ObjectNode status = paths.putObject(base + "/{name}/status");
        pathParameters(status, type.namespaced(), true);
        status.set("get", operation(type, "get", schemaName, List.of()));
        status.set("put", operation(type, "put", schemaName, List.of("application/json", "application/yaml")));
        status.set("patch", operation(type, "patch", schemaName, PATCH_TYPES));
      }
    }
    return root.toString();
  }

  private ObjectNode kindSchema(ServedResources served, ResourceType type) {
    ObjectNode schema = served.crdSchema(type)
        .map(s -> (ObjectNode) s.deepCopy())
        .orElseGet(() -> {
          ObjectNode permissive = json.createObjectNode();
          permissive.put("type", "object");
          permissive.put("description", type.kind() + " (the embedded API server publishes no detailed schema for it)");
          permissive.put("x-kubernetes-preserve-unknown-fields", true);
          return permissive;
        });
    ObjectNode properties = schema.has("properties") ? (ObjectNode) schema.get("properties")
        : schema.putObject("properties");
    if (!properties.has("apiVersion")) {
      properties.putObject("apiVersion").put("type", "string");
    }
    if (!properties.has("kind")) {
      properties.putObject("kind").put("type", "string");
    }
    if (!properties.has("metadata")) {
      properties.putObject("metadata").put("type", "object");
    }
    schema.putArray("x-kubernetes-group-version-kind").add(gvk(type));
    return schema;
  }

  private ObjectNode operation(ResourceType type, String action, String schemaName, List<String> bodyTypes) {
    ObjectNode op = json.createObjectNode();
    op.put("operationId", action + type.kind() + "_" + type.group().replace('.', '_') + "_" + type.version());
    ArrayNode parameters = op.putArray("parameters");
    if (!action.equals("get") && !action.equals("list")) {
      queryParameter(parameters, "dryRun");
    }
    if (action.equals("post") || action.equals("put") || action.equals("patch")) {
      queryParameter(parameters, "fieldManager");
      // The parameter kubectl looks for before deciding to skip client-side validation (see the class comment).
      queryParameter(parameters, "fieldValidation");
    }
    if (action.equals("patch")) {
      queryParameter(parameters, "force");
    }
    if (action.equals("list")) {
      List.of("labelSelector", "fieldSelector", "resourceVersion", "watch", "limit", "continue", "timeoutSeconds")
          .forEach(p -> queryParameter(parameters, p));
    }
    if (!bodyTypes.isEmpty()) {
      ObjectNode body = op.putObject("requestBody");
      body.put("required", true);
      ObjectNode content = body.putObject("content");
      bodyTypes.forEach(t -> content.putObject(t).putObject("schema").put("$ref", "#/components/schemas/" + schemaName));
    }
    ObjectNode ok = op.putObject("responses").putObject("200");
    ok.put("description", "OK");
    ok.putObject("content").putObject("application/json").putObject("schema")
        .put("$ref", "#/components/schemas/" + schemaName);
    op.put("x-kubernetes-action", action);
    op.set("x-kubernetes-group-version-kind", gvk(type));
    return op;
  }

  private static void pathParameters(ObjectNode path, boolean namespaced, boolean named) {
    ArrayNode parameters = path.putArray("parameters");
    if (named) {
      pathParameter(parameters, "name");
    }
    if (namespaced) {
      pathParameter(parameters, "namespace");
    }
  }

  private static void pathParameter(ArrayNode parameters, String name) {
    ObjectNode parameter = parameters.addObject();
    parameter.put("name", name);
    parameter.put("in", "path");
    parameter.put("required", true);
    parameter.putObject("schema").put("type", "string");
  }

  private static void queryParameter(ArrayNode parameters, String name) {
    ObjectNode parameter = parameters.addObject();
    parameter.put("name", name);
    parameter.put("in", "query");
    parameter.putObject("schema").put("type", "string");
  }

  private ObjectNode gvk(ResourceType type) {
    ObjectNode gvk = json.createObjectNode();
    gvk.put("group", type.group());
    gvk.put("kind", type.kind());
    gvk.put("version", type.version());
    return gvk;
  }

  /** io.k8s.api.core.v1.Service for built-ins, reversed-domain names (dev.weir.v1alpha1.ProxyRoute) for CRDs. */
  private static String schemaName(ResourceType type) {
    if (type.group().isEmpty()) {
      return "io.k8s.api.core." + type.version() + "." + type.kind();
    }
    if (type.group().endsWith(".k8s.io")) {
      String short_ = type.group().substring(0, type.group().length() - ".k8s.io".length());
      String prefix = short_.equals("apiextensions") ? "io.k8s.apiextensions-apiserver.pkg.apis." : "io.k8s.api.";
      return prefix + short_ + "." + type.version() + "." + type.kind();
    }
    List<String> parts = new java.util.ArrayList<>(List.of(type.group().split("\\.")));
    java.util.Collections.reverse(parts);
    return String.join(".", parts) + "." + type.version() + "." + type.kind();
  }

  private static String hash(String document) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(document.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
