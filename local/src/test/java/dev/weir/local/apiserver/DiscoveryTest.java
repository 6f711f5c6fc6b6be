package dev.weir.local.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documents kubectl reads before it touches any object, checked over plain HTTP. */
class DiscoveryTest {

  private static EmbeddedApiServer server;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    server = EmbeddedApiServer.start(0);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(String path) throws Exception {
    HttpResponse<String> response = get(path);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return Serialization.jsonMapper().readTree(response.body());
  }

  @Test
  void versionAndGroups() throws Exception {
    JsonNode version = json("/version");
    assertEquals("1", version.path("major").asText());
    assertEquals("32", version.path("minor").asText());
    assertEquals(EmbeddedApiServer.KUBERNETES_VERSION, version.path("gitVersion").asText());
    assertEquals("v1", json("/api?timeout=32s").path("versions").get(0).asText());
    List<String> groups = new ArrayList<>();
    json("/apis").path("groups").forEach(g -> groups.add(g.path("preferredVersion").path("groupVersion").asText()));
    assertEquals(List.of("networking.k8s.io/v1", "discovery.k8s.io/v1", "coordination.k8s.io/v1",
        "apiextensions.k8s.io/v1", "events.k8s.io/v1", "weir.dev/v1alpha1"), groups);
  }

  @Test
  void crdResourcesComeFromTheStore() throws Exception {
    JsonNode list = json("/apis/weir.dev/v1alpha1");
    assertEquals("APIResourceList", list.path("kind").asText());
    JsonNode routes = list.path("resources").get(0);
    assertEquals("proxyroutes", routes.path("name").asText());
    assertEquals("ProxyRoute", routes.path("kind").asText());
    assertTrue(routes.path("namespaced").asBoolean());
    assertEquals("pxr", routes.path("shortNames").get(0).asText());
    assertEquals(8, routes.path("verbs").size());
    assertEquals("proxyroutes/status", list.path("resources").get(1).path("name").asText());

    assertEquals(404, get("/apis/example.com/v1").statusCode());
    assertEquals(404, get("/apis/example.com/v1/namespaces/default/widgets").statusCode(),
        "the plain mock would answer an empty List for any path");
    assertEquals(404, get("/api/v1/namespaces/default/nonsense").statusCode());
    JsonNode notFound = Serialization.jsonMapper().readTree(
        get("/apis/weir.dev/v1alpha1/namespaces/default/proxyroutes/missing").body());
    assertEquals("NotFound", notFound.path("reason").asText());
    assertEquals("proxyroutes.weir.dev \"missing\" not found", notFound.path("message").asText());
  }

  @Test
  void openApiV3DeclaresFieldValidationAndCarriesTheCrdSchema() throws Exception {
    JsonNode index = json("/openapi/v3");
    String url = index.path("paths").path("apis/weir.dev/v1alpha1").path("serverRelativeURL").asText();
    assertTrue(url.startsWith("/openapi/v3/apis/weir.dev/v1alpha1?hash="), url);
    JsonNode document = json(url);
    JsonNode patch = document.path("paths").path("/apis/weir.dev/v1alpha1/namespaces/{namespace}/proxyroutes/{name}")
        .path("patch");
    assertEquals("ProxyRoute", patch.path("x-kubernetes-group-version-kind").path("kind").asText());
    List<String> parameters = new ArrayList<>();
    patch.path("parameters").forEach(p -> parameters.add(p.path("name").asText()));
    assertTrue(parameters.contains("fieldValidation"), parameters.toString());
    assertTrue(document.path("components").path("schemas").path("dev.weir.v1alpha1.ProxyRoute").path("properties")
        .path("spec").path("properties").has("hosts"));
    assertTrue(json("/openapi/v3/api/v1").path("paths").has("/api/v1/namespaces/{namespace}/services/{name}"));
    assertEquals(404, get("/openapi/v2").statusCode(), "v2 is protobuf-only for kubectl; a 404 makes it fall back");
  }

  @Test
  void crdWritesChangeDiscoveryAndOpenApi(@TempDir Path dir) throws Exception {
    String before = json("/openapi/v3").toString();
    var crd = new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("widgets.example.com").endMetadata()
        .withNewSpec().withGroup("example.com").withScope("Cluster")
        .withNewNames().withKind("Widget").withPlural("widgets").withSingular("widget").endNames()
        .addNewVersion().withName("v1").withServed(true).withStorage(true)
        .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build();
    var created = server.client().apiextensions().v1().customResourceDefinitions().resource(crd).create();
    assertEquals("True", created.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Established")).findFirst().orElseThrow().getStatus());
    assertEquals("Widget", json("/apis/example.com/v1").path("resources").get(0).path("kind").asText());
    assertTrue(json("/openapi/v3").path("paths").has("apis/example.com/v1"));
    server.client().apiextensions().v1().customResourceDefinitions().withName("widgets.example.com").delete();
    assertEquals(404, get("/apis/example.com/v1").statusCode());
    assertEquals(before, json("/openapi/v3").toString());
  }

  @Test
  void kubeconfigPointsAtTheServer(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("nested/kubeconfig");
    server.writeKubeconfig(file);
    String text = Files.readString(file);
    assertTrue(text.contains("server: " + server.url()), text);
    assertTrue(text.contains("current-context: weir-local"), text);
    assertTrue(text.contains("namespace: default"), text);
    assertTrue(text.contains("token: " + EmbeddedApiServer.TOKEN), text);
    var config = io.fabric8.kubernetes.client.Config.fromKubeconfig(text);
    assertEquals(server.url() + "/", config.getMasterUrl());
    assertEquals("default", config.getNamespace());
  }
}
