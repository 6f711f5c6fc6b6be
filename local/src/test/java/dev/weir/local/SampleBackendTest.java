package dev.weir.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The sample backend says who it is and, asked with {@code ?max-age=N}, lets caches keep its answer. */
class SampleBackendTest {

  @Test
  void maxAgeInTheQueryBecomesCacheControl() throws Exception {
    try (SampleBackend b = SampleBackend.start("echo-test", "127.0.0.1", 0)) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> cacheable = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port() + "/a?x=1&max-age=60")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals("public, max-age=60", cacheable.headers().firstValue("cache-control").orElse(null));
      assertTrue(cacheable.body().contains("backend: echo-test"));
      HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port() + "/a")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertNull(plain.headers().firstValue("cache-control").orElse(null));
    }
    assertNull(SampleBackend.maxAge("max-age=-1"));
    assertNull(SampleBackend.maxAge("max-age=6x"));
    assertEquals("5", SampleBackend.maxAge("a=b&max-age=5"));
  }
}
