package dev.weir.local.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Local mode and every e2e test pay for start(): it must stay well under the 2 s budget once the JVM is warm. */
class StartupTimeTest {

  @Test
  void startsQuicklyAndServesAtOnce() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long[] millis = new long[5];
    for (int i = 0; i < millis.length; i++) {
      long start = System.nanoTime();
      try (EmbeddedApiServer server = EmbeddedApiServer.start(0)) {
        HttpResponse<String> crd = http.send(HttpRequest.newBuilder(URI.create(server.url()
            + "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/proxyroutes.weir.dev")).build(),
            HttpResponse.BodyHandlers.ofString());
        millis[i] = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, crd.statusCode());
      }
    }
    System.out.println("EmbeddedApiServer start to first answer, ms (first run includes class loading): "
        + java.util.Arrays.toString(millis));
    long warm = java.util.Arrays.stream(millis, 1, millis.length).max().orElseThrow();
    assertTrue(warm < 2000, "warm start took " + warm + " ms");
  }
}
