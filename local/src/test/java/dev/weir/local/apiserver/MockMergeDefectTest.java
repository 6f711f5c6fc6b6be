package dev.weir.local.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

/**
 * The reason MergePatch exists: fabric8's mock appends to lists on a merge patch. Both dispatchers get the same
 * requests in-process; the plain one shows the defect, ours does not.
 */
class MockMergeDefectTest {

  private static final String INGRESS = """
      {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web","namespace":"default"},
       "spec":{"rules":[{"host":"a.example.com"},{"host":"b.example.com"}]}}""";
  private static final String PATCH = "{\"spec\":{\"rules\":[{\"host\":\"c.example.com\"}]}}";

  @Test
  void plainMockAppendsOursReplaces() throws Exception {
    assertEquals(3, rulesAfterPatch(new KubernetesMixedDispatcher(new HashMap<>())), "the mock's known defect");
    assertEquals(1, rulesAfterPatch(new KubectlCompatibleDispatcher(Serialization.jsonMapper(), "v1.32.0")));
  }

  private static int rulesAfterPatch(Dispatcher dispatcher) throws Exception {
    String collection = "/apis/networking.k8s.io/v1/namespaces/default/ingresses";
    MockResponse created = dispatcher.dispatch(request(HttpMethod.POST, collection, "application/json", INGRESS));
    assertEquals(201, created.code());
    MockResponse patched = dispatcher.dispatch(
        request(HttpMethod.PATCH, collection + "/web", "application/merge-patch+json", PATCH));
    assertEquals(2, patched.code() / 100, "patch succeeded");
    JsonNode body = Serialization.jsonMapper().readTree(patched.getBody().getBytes());
    return body.path("spec").path("rules").size();
  }

  private static RecordedRequest request(HttpMethod method, String path, String contentType, String body) {
    return new RecordedRequest("HTTP/1.1", method, path, Headers.builder().add("Content-Type", contentType).build(),
        new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }
}
