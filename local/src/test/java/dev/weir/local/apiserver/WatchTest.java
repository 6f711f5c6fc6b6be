package dev.weir.local.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Watches: WebSocket ones (fabric8 watch and informer) and chunked HTTP ones (what kubectl uses). */
class WatchTest {

  private EmbeddedApiServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    server = EmbeddedApiServer.start(0);
    client = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void fabric8WatchSeesAddedModifiedDeleted() throws Exception {
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    try (Watch ignored = routes.watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, ProxyRoute resource) {
        events.add(action + " " + resource.getMetadata().getName() + " " + resource.getSpec().getHosts());
      }

      @Override
      public void onClose(WatcherException cause) {}
    })) {
      routes.resource(ClientCrudTest.route("w", "w.example.com", "a")).create();
      routes.withName("w").edit(r -> {
        r.getSpec().setHosts(List.of("w2.example.com"));
        return r;
      });
      routes.withName("w").delete();
      assertEquals("ADDED w [w.example.com]", events.poll(5, TimeUnit.SECONDS));
      assertEquals("MODIFIED w [w2.example.com]", events.poll(5, TimeUnit.SECONDS));
      assertEquals("DELETED w [w2.example.com]", events.poll(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void informerSeesAddedModifiedDeletedWithoutReplays() throws Exception {
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    routes.resource(ClientCrudTest.route("before", "before.example.com", "a")).create();
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    SharedIndexInformer<ProxyRoute> informer = routes.inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ProxyRoute obj) {
        events.add("ADDED " + obj.getMetadata().getName());
      }

      @Override
      public void onUpdate(ProxyRoute oldObj, ProxyRoute newObj) {
        events.add("MODIFIED " + newObj.getMetadata().getName() + " " + newObj.getMetadata().getGeneration());
      }

      @Override
      public void onDelete(ProxyRoute obj, boolean deletedFinalStateUnknown) {
        events.add("DELETED " + obj.getMetadata().getName());
      }
    }, 0);
    try {
      informer.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals("ADDED before", events.poll(5, TimeUnit.SECONDS));
      routes.resource(ClientCrudTest.route("after", "after.example.com", "a")).create();
      assertEquals("ADDED after", events.poll(5, TimeUnit.SECONDS));
      routes.withName("before").edit(r -> {
        r.getSpec().setHosts(List.of("changed.example.com"));
        return r;
      });
      assertEquals("MODIFIED before 2", events.poll(5, TimeUnit.SECONDS));
      routes.withName("after").delete();
      assertEquals("DELETED after", events.poll(5, TimeUnit.SECONDS));
      assertEquals(null, events.poll(300, TimeUnit.MILLISECONDS), "no replayed or duplicate events");
    } finally {
      informer.close();
    }
  }

  @Test
  void chunkedHttpWatchStreamsOnlyNewerEvents() throws Exception {
    var routes = client.resources(ProxyRoute.class).inNamespace("default");
    routes.resource(ClientCrudTest.route("old", "old.example.com", "a")).create();
    String listVersion = routes.list().getMetadata().getResourceVersion();

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.url()
            + "/apis/weir.dev/v1alpha1/namespaces/default/proxyroutes?watch=true&resourceVersion=" + listVersion))
        .timeout(Duration.ofSeconds(10)).build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertEquals("chunked", response.headers().firstValue("transfer-encoding").orElse(""));
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      routes.resource(ClientCrudTest.route("new", "new.example.com", "a")).create();
      routes.withName("new").delete();
      assertEquals("ADDED new", event(lines.readLine()));
      assertEquals("DELETED new", event(lines.readLine()));
    }
  }

  private static String event(String line) throws Exception {
    var node = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().readTree(line);
    return node.path("type").asText() + " " + node.path("object").path("metadata").path("name").asText();
  }

  @Test
  void chunkedWatchEndsAfterTimeoutSeconds() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.url()
            + "/api/v1/namespaces?watch=true&timeoutSeconds=1"))
        .timeout(Duration.ofSeconds(10)).build();
    long start = System.nanoTime();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("\"name\":\"default\""), "no resourceVersion: existing objects come as ADDED");
    assertTrue(millis >= 900 && millis < 5000, "ended after about a second: " + millis + " ms");
  }
}
