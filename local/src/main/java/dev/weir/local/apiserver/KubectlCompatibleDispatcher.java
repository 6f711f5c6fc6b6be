package dev.weir.local.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The fabric8 mock's CRUD dispatcher (its in-memory store, watches, resourceVersion conflicts and generation
 * handling) with what a real API server adds on top and kubectl relies on:
 *
 * <ul>
 *   <li>discovery (/api, /apis, /api/v1, /apis/G/V), /version, OpenAPI v3, health endpoints;
 *   <li>404 with a Status for paths and kinds that are not served (the mock would answer with an empty List);
 *   <li>merge, strategic-merge and apply patches done properly ({@link MergePatch}) and stored with a PUT, because the
 *       mock appends lists on merge and rejects the other two with 415; apply on a missing object creates it;
 *   <li>the status subresource honoured for built-in kinds too (the mock knows it only for CRDs);
 *   <li>Status bodies for empty error responses.
 * </ul>
 * Writes are serialised by one lock so that a patch's read-merge-write is atomic with respect to other writes.
 */
final class KubectlCompatibleDispatcher extends KubernetesMixedDispatcher {

  static final String CRD_COLLECTION = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  private final ObjectMapper json;
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final String kubernetesVersion;
  private final DiscoveryDocuments discovery;
  private final OpenApiDocuments openApi;
  private final StatusResponses statuses;
  private final TableConverter tables;
  private final ReentrantLock writes = new ReentrantLock();
  private final AtomicLong crdWrites = new AtomicLong();
  private volatile CachedResources cache;
  private volatile String serverAddress = "127.0.0.1:0";

  KubectlCompatibleDispatcher(ObjectMapper json, String kubernetesVersion) {
    super(new HashMap<>());
    this.json = json;
    this.kubernetesVersion = kubernetesVersion;
    this.discovery = new DiscoveryDocuments(json);
    this.openApi = new OpenApiDocuments(json, kubernetesVersion);
    this.statuses = new StatusResponses(json);
    this.tables = new TableConverter(json);
  }

  /** host:port advertised in /api (serverAddressByClientCIDRs). */
  void serverAddress(String hostAndPort) {
    this.serverAddress = hostAndPort;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    try {
      return route(request);
    } catch (BadRequestException e) {
      return statuses.badRequest(e.getMessage());
    } catch (RuntimeException e) {
      return statuses.internalError(e.toString());
    }
  }

  private MockResponse route(RecordedRequest request) {
    RequestTarget target = RequestTarget.parse(request.getPath());
    String method = request.getMethod().toUpperCase(Locale.ROOT);
    String path = target.path().length() > 1 && target.path().endsWith("/")
        ? target.path().substring(0, target.path().length() - 1) : target.path();
    if (method.equals("GET")) {
      Optional<MockResponse> fixed = fixedDocument(path);
      if (fixed.isPresent()) {
        return fixed.get();
      }
    }
    Optional<ResourcePath> parsed = ResourcePath.parse(path);
    if (parsed.isEmpty()) {
      return statuses.pageNotFound();
    }
    ResourcePath resource = parsed.get();
    Optional<ResourceType> type = served().find(resource.group(), resource.version(), resource.plural());
    if (type.isEmpty() || (resource.subresource() != null && !(resource.isStatus() && type.get().statusSubresource()))
        || (resource.namespace() != null && !type.get().namespaced())) {
      return statuses.pageNotFound();
    }
    return switch (method) {
      case "GET" -> get(request, target, resource, type.get());
      case "POST" -> locked(() -> create(request, target, resource, type.get()));
      case "PUT" -> locked(() -> update(request, target, resource, type.get()));
      case "PATCH" -> locked(() -> patch(request, target, resource, type.get()));
      case "DELETE" -> locked(() -> delete(request, resource, type.get()));
      default -> statuses.methodNotAllowed(method);
    };
  }

  /** Documents that do not come from the store: discovery, version, OpenAPI, health. */
  private Optional<MockResponse> fixedDocument(String path) {
    if (path.equals("/version")) {
      return Optional.of(jsonResponse(200, versionDocument()));
    }
    if (path.equals("/api")) {
      return Optional.of(jsonResponse(200, discovery.apiVersions(serverAddress)));
    }
    if (path.equals("/apis")) {
      return Optional.of(jsonResponse(200, discovery.apiGroupList(served())));
    }
    if (path.equals("/api/v1") || path.matches("/apis/[^/]+/[^/]+")) {
      String groupVersion = path.equals("/api/v1") ? "v1" : path.substring("/apis/".length());
      return Optional.of(discovery.apiResourceList(served(), groupVersion)
          .map(body -> jsonResponse(200, body))
          .orElseGet(statuses::pageNotFound));
    }
    if (path.equals("/openapi/v3")) {
      return Optional.of(jsonResponse(200, openApi.index(served())));
    }
    if (path.startsWith("/openapi/v3/")) {
      return Optional.of(openApi.document(served(), path.substring("/openapi/v3/".length()))
          .map(body -> jsonResponse(200, body))
          .orElseGet(statuses::pageNotFound));
    }
    if (path.startsWith("/openapi/")) {
      // OpenAPI v2 is wanted as protobuf; a 404 makes kubectl fall back to its compiled-in types (see OpenApiDocuments).
      return Optional.of(statuses.pageNotFound());
    }
    if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")) {
      return Optional.of(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody("ok"));
    }
    if (path.equals("/")) {
      ObjectNode root = json.createObjectNode();
      var paths = root.putArray("paths");
      paths.add("/api").add("/api/v1").add("/apis");
      served().byGroupVersion().values().forEach(types -> {
        if (!types.get(0).group().isEmpty()) {
          paths.add("/apis/" + types.get(0).group()).add(types.get(0).apiPrefix());
        }
      });
      paths.add("/healthz").add("/livez").add("/openapi/v3").add("/readyz").add("/version");
      return Optional.of(jsonResponse(200, root.toString()));
    }
    return Optional.empty();
  }

  private String versionDocument() {
    String[] parts = kubernetesVersion.replaceFirst("^v", "").split("[.-]");
    ObjectNode version = json.createObjectNode();
    version.put("major", parts[0]);
    version.put("minor", parts.length > 1 ? parts[1] : "0");
    version.put("gitVersion", kubernetesVersion);
    version.put("gitCommit", "0000000000000000000000000000000000000000");
    version.put("gitTreeState", "clean");
    version.put("buildDate", "2026-01-01T00:00:00Z");
    version.put("goVersion", "java" + Runtime.version().feature());
    version.put("compiler", "weir");
    version.put("platform", System.getProperty("os.name").toLowerCase(Locale.ROOT) + "/"
        + System.getProperty("os.arch"));
    return version.toString();
  }

  // ---- reads ----

  private MockResponse get(RecordedRequest request, RequestTarget target, ResourcePath resource, ResourceType type) {
    if (target.isWatch()) {
      return super.dispatch(forward(request, HttpMethod.GET, watchPath(target, resource), null));
    }
    Map<String, String> params = selectors(target);
    FieldSelector fields = FieldSelector.parse(params.remove("fieldSelector"));
    if (!fields.forMock().isEmpty()) {
      params.put("fieldSelector", fields.forMock());
    }
    MockResponse response = super.dispatch(forward(request, HttpMethod.GET,
        RequestTarget.withQuery(resource.isStatus() ? resource.objectPath() : targetPath(target, resource), params),
        null));
    if (response.code() != 200) {
      return withStatusBody(response, resource, type);
    }
    JsonNode body = readJson(response);
    if (resource.isCollection() && body.isObject() && "List".equals(body.path("kind").asText())) {
      // The mock calls every list "v1 List"; typed clients (client-go's, e.g. for the Events in kubectl describe)
      // decode only the real list kind.
      ((ObjectNode) body).put("kind", type.kind() + "List");
      ((ObjectNode) body).put("apiVersion", type.groupVersion());
    }
    fields.filter(body);
    boolean table = TableConverter.wanted(request.getHeader("Accept"));
    if (table) {
      body = tables.table(body, type, served().crdVersion(type).orElse(null));
    }
    return jsonResponse(200, body.toString());
  }

  /**
   * How the transport must rewrite the events of a watch: kubectl's human-readable {@code get -w} asks for Tables
   * (as for its initial list), so each event's object becomes a one-row Table; everything else passes unchanged.
   */
  UnaryOperator<String> watchEventRewriter(RecordedRequest request) {
    if (!TableConverter.wanted(request.getHeader("Accept"))) {
      return UnaryOperator.identity();
    }
    Optional<ResourcePath> resource = ResourcePath.parse(RequestTarget.parse(request.getPath()).path());
    Optional<ResourceType> type = resource.flatMap(r -> served().find(r.group(), r.version(), r.plural()));
    if (type.isEmpty()) {
      return UnaryOperator.identity();
    }
    JsonNode crdVersion = served().crdVersion(type.get()).orElse(null);
    return event -> {
      try {
        ObjectNode node = (ObjectNode) json.readTree(event);
        JsonNode object = node.path("object");
        if (object.isObject() && !"Status".equals(object.path("kind").asText())) {
          node.set("object", tables.table(object, type.get(), crdVersion));
        }
        return node.toString();
      } catch (java.io.IOException | ClassCastException e) {
        return event;
      }
    };
  }

  private JsonNode readJson(MockResponse response) {
    try {
      return json.readTree(response.getBody().getBytes());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the store returned unreadable JSON", e);
    }
  }

  /**
   * The mock takes the watched object's name from the raw (still URL-encoded) fieldSelector, which breaks for
   * kubectl's {@code fieldSelector=metadata.name%3Dx}; naming the object in the path is what it understands.
   */
  private static String watchPath(RequestTarget target, ResourcePath resource) {
    Map<String, String> params = selectors(target);
    String path = resource.isCollection() ? resource.collectionPath() : resource.objectPath();
    String fieldSelector = params.get("fieldSelector");
    if (fieldSelector != null && resource.isCollection()) {
      StringBuilder rest = new StringBuilder();
      for (String term : fieldSelector.split(",")) {
        String t = term.trim();
        if (t.startsWith("metadata.name=") || t.startsWith("metadata.name==")) {
          path = resource.collectionPath() + "/" + t.substring(t.lastIndexOf('=') + 1);
        } else if (!t.isEmpty()) {
          rest.append(rest.length() == 0 ? "" : ",").append(t);
        }
      }
      if (rest.length() == 0) {
        params.remove("fieldSelector");
      } else {
        params.put("fieldSelector", rest.toString());
      }
    }
    params.put("watch", "true");
    return RequestTarget.withQuery(path, params);
  }

  private static Map<String, String> selectors(RequestTarget target) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String name : new String[] {"labelSelector", "fieldSelector"}) {
      String value = target.param(name);
      if (value != null && !value.isEmpty()) {
        params.put(name, value);
      }
    }
    return params;
  }

  private static String targetPath(RequestTarget target, ResourcePath resource) {
    return resource.isCollection() ? resource.collectionPath() : resource.objectPath();
  }

  // ---- writes ----

  private MockResponse create(RecordedRequest request, RequestTarget target, ResourcePath resource, ResourceType type) {
    if (!resource.isCollection()) {
      return statuses.methodNotAllowed("POST");
    }
    ObjectNode body = objectBody(request);
    WriteAdmission.foldStringData(type, body);
    List<String> warnings =
        WriteAdmission.enforceSchema(type, served().crdSchema(type), target.param("fieldValidation"), body);
    if (type.statusSubresource() && !served().isCustom(type)) {
      // A real server drops status on create when the kind has a status subresource (the mock does so for CRDs),
      // then its controllers fill in what clients wait for.
      body.remove("status");
      WriteAdmission.initialStatus(type, body).ifPresent(status -> body.set("status", status));
    }
    if (target.isDryRun()) {
      return withWarnings(jsonResponse(201, body.toString()), warnings);
    }
    MockResponse response = super.dispatch(forward(request, HttpMethod.POST, resource.collectionPath(), body));
    crdsMayHaveChanged(type);
    return withWarnings(withStatusBody(response, resource, type), warnings);
  }

  private static MockResponse withWarnings(MockResponse response, List<String> warnings) {
    // RFC 7234 warn-code 299, as a real server sends them; kubectl prints "Warning: ...".
    warnings.forEach(w -> response.addHeader("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\""));
    return response;
  }

  private MockResponse update(RecordedRequest request, RequestTarget target, ResourcePath resource, ResourceType type) {
    if (resource.isCollection()) {
      return statuses.methodNotAllowed("PUT");
    }
    ObjectNode body = objectBody(request);
    return put(request, target, resource, type, body);
  }

  /** Stores a complete object with the mock's PUT (which checks resourceVersion and bumps generation on spec change). */
  private MockResponse put(
      RecordedRequest request, RequestTarget target, ResourcePath resource, ResourceType type, ObjectNode body) {
    WriteAdmission.foldStringData(type, body);
    List<String> warnings =
        WriteAdmission.enforceSchema(type, served().crdSchema(type), target.param("fieldValidation"), body);
    if (!resource.isStatus() && type.statusSubresource() && !served().isCustom(type)) {
      current(request, resource).ifPresent(current -> {
        if (current.has("status")) {
          body.set("status", current.get("status").deepCopy());
        } else {
          body.remove("status");
        }
      });
    }
    if (target.isDryRun()) {
      return withWarnings(jsonResponse(200, body.toString()), warnings);
    }
    String path = resource.isStatus() ? resource.objectPath() + "/status" : resource.objectPath();
    MockResponse response = super.dispatch(forward(request, HttpMethod.PUT, path, body));
    crdsMayHaveChanged(type);
    return withWarnings(withStatusBody(response, resource, type), warnings);
  }

  private MockResponse patch(RecordedRequest request, RequestTarget target, ResourcePath resource, ResourceType type) {
    if (resource.isCollection()) {
      return statuses.methodNotAllowed("PATCH");
    }
    String contentType = Optional.ofNullable(request.getHeader("Content-Type")).orElse("")
        .toLowerCase(Locale.ROOT);
    if (contentType.startsWith("application/json-patch+json")) {
      // JSON patch is precise already; the mock applies it. Only the query must go (see RequestTarget).
      String path = resource.isStatus() ? resource.objectPath() + "/status" : resource.objectPath();
      MockResponse response = super.dispatch(forward(request, HttpMethod.PATCH, path, null));
      crdsMayHaveChanged(type);
      if (response.code() == 202) {
        response.setResponseCode(200);
      }
      return withStatusBody(response, resource, type);
    }
    boolean apply = contentType.startsWith("application/apply-patch");
    boolean strategic = contentType.startsWith("application/strategic-merge-patch");
    if (!apply && !strategic && !contentType.startsWith("application/merge-patch")) {
      return statuses.unsupportedMediaType(contentType);
    }
    JsonNode patch = apply ? parse(request, true) : parse(request, false);
    if (!patch.isObject()) {
      throw new BadRequestException("a patch must be a JSON object");
    }
    Optional<ObjectNode> current = current(request, resource);
    if (current.isEmpty()) {
      if (!apply || resource.isStatus()) {
        return statuses.notFound(resource, type);
      }
      // Server-side apply creates what does not exist yet.
      ObjectNode created = (ObjectNode) MergePatch.stripDirectives(patch);
      ObjectNode metadata = created.has("metadata") ? (ObjectNode) created.get("metadata")
          : created.putObject("metadata");
      metadata.put("name", resource.name());
      if (resource.namespace() != null) {
        metadata.put("namespace", resource.namespace());
      }
      WriteAdmission.foldStringData(type, created);
      List<String> warnings =
          WriteAdmission.enforceSchema(type, served().crdSchema(type), target.param("fieldValidation"), created);
      if (target.isDryRun()) {
        return withWarnings(jsonResponse(201, created.toString()), warnings);
      }
      MockResponse response =
          super.dispatch(forward(request, HttpMethod.POST, resource.collectionPath(), created));
      crdsMayHaveChanged(type);
      return withWarnings(withStatusBody(response, resource, type), warnings);
    }
    JsonNode merged = strategic ? MergePatch.strategic(current.get(), patch) : MergePatch.merge(current.get(), patch);
    if (!merged.isObject()) {
      throw new BadRequestException("the patch did not produce an object");
    }
    // merged carries the current resourceVersion unless the patch names one: only then can the PUT conflict (409),
    // which is a real server's behaviour for a patch with a resourceVersion precondition.
    return put(request, target, resource, type, (ObjectNode) merged);
  }

  private MockResponse delete(RecordedRequest request, ResourcePath resource, ResourceType type) {
    Map<String, String> params = selectors(RequestTarget.parse(request.getPath()));
    String path = resource.isCollection() ? RequestTarget.withQuery(resource.collectionPath(), params)
        : resource.objectPath();
    MockResponse response = super.dispatch(forward(request, HttpMethod.DELETE, path, null));
    crdsMayHaveChanged(type);
    return withStatusBody(response, resource, type);
  }

  // ---- helpers ----

  private Optional<ObjectNode> current(RecordedRequest request, ResourcePath resource) {
    MockResponse response = super.dispatch(forward(request, HttpMethod.GET, resource.objectPath(), null));
    if (response.code() != 200 || response.getBody() == null) {
      return Optional.empty();
    }
    try {
      JsonNode node = json.readTree(response.getBody().getBytes());
      return node.isObject() ? Optional.of((ObjectNode) node) : Optional.empty();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the store holds unreadable JSON at " + resource.objectPath(), e);
    }
  }

  private ObjectNode objectBody(RecordedRequest request) {
    String contentType = Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
    JsonNode body = parse(request, contentType.contains("yaml"));
    if (!body.isObject()) {
      throw new BadRequestException("the request body must be a JSON object");
    }
    return (ObjectNode) body;
  }

  private JsonNode parse(RecordedRequest request, boolean yamlAllowed) {
    byte[] bytes = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
    if (bytes.length == 0) {
      throw new BadRequestException("the request has no body");
    }
    try {
      return json.readTree(bytes);
    } catch (java.io.IOException e) {
      if (yamlAllowed) {
        try {
          return yaml.readTree(bytes);
        } catch (java.io.IOException yamlError) {
          throw new BadRequestException("the body is neither JSON nor YAML: " + yamlError.getMessage());
        }
      }
      throw new BadRequestException("the body is not JSON: " + e.getMessage());
    }
  }

  private RecordedRequest forward(RecordedRequest original, HttpMethod method, String path, JsonNode body) {
    Headers.Builder headers = Headers.builder();
    original.getHeaders().toMultimap().forEach((name, values) -> {
      if (!name.equalsIgnoreCase("Content-Length") && !(body != null && name.equalsIgnoreCase("Content-Type"))) {
        values.forEach(v -> headers.add(name, v));
      }
    });
    Buffer buffer;
    if (body != null) {
      headers.add("Content-Type", "application/json");
      try {
        buffer = new Buffer(json.writeValueAsBytes(body));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    } else {
      buffer = method == HttpMethod.GET || method == HttpMethod.DELETE ? new Buffer()
          : new Buffer(original.getBody() == null ? new byte[0] : original.getBody().getBytes());
    }
    return new RecordedRequest(original.getHttpVersion(), method, path, headers.build(), buffer);
  }

  private MockResponse withStatusBody(MockResponse response, ResourcePath resource, ResourceType type) {
    boolean empty = response.getBody() == null || response.getBody().size() == 0;
    if (response.code() == 404 && empty) {
      return statuses.notFound(resource, type);
    }
    if (response.code() >= 400 && empty) {
      return statuses.failure(response.code(), "Unknown", "the request failed with HTTP " + response.code(),
          resource.name(), type);
    }
    if (response.header("Content-Type") == null && !empty) {
      response.setHeader("Content-Type", "application/json");
    }
    return response;
  }

  private static MockResponse jsonResponse(int code, String body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body.getBytes(StandardCharsets.UTF_8));
  }

  private MockResponse locked(java.util.function.Supplier<MockResponse> write) {
    writes.lock();
    try {
      return write.get();
    } finally {
      writes.unlock();
    }
  }

  private void crdsMayHaveChanged(ResourceType type) {
    if (type.plural().equals("customresourcedefinitions") && type.group().equals("apiextensions.k8s.io")) {
      crdWrites.incrementAndGet();
    }
  }

  /**
   * Built-ins plus the CRDs in the store, cached until a CRD is written (every write passes through here). The
   * write counter is read before the store so that a list read during a CRD write is never cached as current.
   */
  ServedResources served() {
    long writesSeen = crdWrites.get();
    CachedResources cached = cache;
    if (cached != null && cached.crdWrites() == writesSeen) {
      return cached.resources();
    }
    MockResponse crds = super.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, CRD_COLLECTION,
        Headers.builder().build(), new Buffer()));
    ServedResources resources;
    try {
      resources = ServedResources.of(json.readTree(crds.getBody().getBytes()));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the store's CRD list is unreadable", e);
    }
    cache = new CachedResources(writesSeen, resources);
    return resources;
  }

  private record CachedResources(long crdWrites, ServedResources resources) {}
}
