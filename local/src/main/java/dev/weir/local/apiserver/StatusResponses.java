package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

/**
 * meta/v1 Status bodies for errors. The mock answers many failures (a missing object above all) with an empty body;
 * kubectl then prints "the server could not find the requested resource" instead of
 * {@code proxyroutes.weir.dev "x" not found}, and clients cannot tell the reason apart.
 */
final class StatusResponses {

  private final ObjectMapper json;

  StatusResponses(ObjectMapper json) {
    this.json = json;
  }

  MockResponse notFound(ResourcePath path, ResourceType type) {
    String resource = type.group().isEmpty() ? type.plural() : type.plural() + "." + type.group();
    String message = path.name() == null ? "the server could not find the requested resource"
        : resource + " \"" + path.name() + "\" not found";
    return failure(404, "NotFound", message, path.name(), type);
  }

  MockResponse pageNotFound() {
    return failure(404, "NotFound", "the server could not find the requested resource", null, null);
  }

  MockResponse badRequest(String message) {
    return failure(400, "BadRequest", message, null, null);
  }

  MockResponse unsupportedMediaType(String contentType) {
    return failure(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media "
        + "types include: application/json-patch+json, application/merge-patch+json, "
        + "application/strategic-merge-patch+json, application/apply-patch+yaml (got " + contentType + ")", null, null);
  }

  MockResponse methodNotAllowed(String method) {
    return failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource ("
        + method + ")", null, null);
  }

  MockResponse internalError(String message) {
    return failure(500, "InternalError", message, null, null);
  }

  MockResponse failure(int code, String reason, String message, String name, ResourceType type) {
    ObjectNode status = json.createObjectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    if (type != null) {
      ObjectNode details = status.putObject("details");
      if (name != null) {
        details.put("name", name);
      }
      details.put("group", type.group());
      details.put("kind", type.plural());
    }
    status.put("code", code);
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(status.toString());
  }
}
