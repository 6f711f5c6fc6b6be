package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * An in-process Kubernetes API server for local mode and end-to-end tests: fabric8's mock CRUD store behind a small
 * Netty HTTP server, with enough of a real server's behaviour that both fabric8 clients and a real {@code kubectl}
 * work against it (discovery, OpenAPI v3, proper merge/strategic/apply patches, the status subresource, chunked and
 * WebSocket watches). See {@link KubectlCompatibleDispatcher} for what is added to the mock and why.
 *
 * <p>On start it holds the ProxyRoute CRD (from the weir-crds jar) and the namespaces default and weir-system.
 * It listens on 127.0.0.1 only and checks no credentials. Everything is in memory and gone on {@link #close()}.
 */
public final class EmbeddedApiServer implements AutoCloseable {

  /** What /version reports; kubectl needs a parseable version with major and minor. */
  public static final String KUBERNETES_VERSION = "v1.32.0-embedded";
  /** The generated ProxyRoute CRD inside the weir-crds jar. */
  public static final String CRD_RESOURCE = "META-INF/fabric8/proxyroutes.weir.dev-v1.yml";
  /** Namespaces that exist from the start. */
  public static final List<String> INITIAL_NAMESPACES = List.of("default", "weir-system");
  /** The bearer token written into kubeconfigs and used by {@link #client()}; the server does not check it. */
  public static final String TOKEN = "weir-local";

  private static final String HOST = "127.0.0.1";

  private final ObjectMapper json = Serialization.jsonMapper();
  private final KubectlCompatibleDispatcher dispatcher;
  private final ApiHttpServer http;
  private KubernetesClient client;
  private boolean closed;

  private EmbeddedApiServer(int port) throws IOException {
    dispatcher = new KubectlCompatibleDispatcher(json, KUBERNETES_VERSION);
    try {
      http = ApiHttpServer.start(dispatcher, dispatcher::watchEventRewriter, json, HOST, port);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + HOST + ":" + port, e);
    } catch (RuntimeException e) {
      throw new IOException("cannot listen on " + HOST + ":" + port + ": " + e.getMessage(), e);
    }
    dispatcher.serverAddress(HOST + ":" + http.port());
    try {
      seed();
    } catch (RuntimeException | IOException e) {
      http.close();
      throw e;
    }
  }

  /**
   * Starts a server on 127.0.0.1.
   *
   * @param port the port to listen on, 0 for an ephemeral one (see {@link #port()})
   * @throws IOException when the port cannot be bound or the CRD cannot be read
   */
  public static EmbeddedApiServer start(int port) throws IOException {
    return new EmbeddedApiServer(port);
  }

  /** The port the server listens on (the ephemeral one when started with 0). */
  public int port() {
    return http.port();
  }

  /** The server's base URL, http://127.0.0.1:PORT. */
  public String url() {
    return "http://" + HOST + ":" + port();
  }

  /**
   * A fabric8 client for this server (JDK HTTP client, HTTP/1.1, namespace default), created on first use and the
   * same instance afterwards. It belongs to the server: {@link #close()} closes it, callers must not.
   */
  public synchronized KubernetesClient client() {
    if (closed) {
      throw new IllegalStateException("the embedded API server is closed");
    }
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  /** A new fabric8 client for this server that the caller owns and closes (e.g. one per component under test). */
  public KubernetesClient newClient() {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withNamespace("default")
        .withOauthToken(TOKEN)
        .withHttp2Disable(true)
        .withRequestTimeout(10_000)
        .withConnectionTimeout(5_000)
        .build();
    // Explicitly the JDK client: the mock's dependencies put the Vert.x one on the classpath too.
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory()).build();
  }

  /**
   * Writes a kubeconfig (cluster, user and context "weir-local", namespace default) pointing at this server, for
   * {@code kubectl --kubeconfig FILE} or KUBECONFIG=FILE. Creates missing parent directories, replaces the file.
   */
  public void writeKubeconfig(Path file) throws IOException {
    KubeconfigWriter.write(file, url(), TOKEN);
  }

  /** The kubeconfig text that {@link #writeKubeconfig(Path)} writes. */
  public String kubeconfig() {
    return KubeconfigWriter.render(url(), TOKEN);
  }

  /** Stops listening, ends open watches and drops all state. Idempotent. */
  @Override
  public void close() {
    KubernetesClient toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = client;
      client = null;
    }
    if (toClose != null) {
      toClose.close();
    }
    http.close();
  }

  /**
   * Runs a server until the process is stopped, for trying kubectl by hand:
   * {@code java -cp ... dev.weir.local.apiserver.EmbeddedApiServer [PORT [KUBECONFIG]]}.
   */
  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    EmbeddedApiServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "weir-apiserver-shutdown"));
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (args.length > 1) {
      server.writeKubeconfig(Path.of(args[1]));
      System.out.println("Embedded API server at " + server.url() + " (started in " + millis + " ms); kubeconfig: "
          + Path.of(args[1]).toAbsolutePath());
    } else {
      System.out.println("Embedded API server at " + server.url() + " (started in " + millis + " ms)");
    }
    Thread.currentThread().join();
  }

  /** The CRD and the initial namespaces, written straight through the dispatcher (no HTTP round trip needed). */
  private void seed() throws IOException {
    JsonNode crd;
    try (InputStream in = EmbeddedApiServer.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IOException(CRD_RESOURCE + " is not on the classpath (is weir-crds a dependency?)");
      }
      crd = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    create(KubectlCompatibleDispatcher.CRD_COLLECTION, crd);
    for (String namespace : INITIAL_NAMESPACES) {
      var ns = json.createObjectNode();
      ns.put("apiVersion", "v1");
      ns.put("kind", "Namespace");
      ns.putObject("metadata").put("name", namespace);
      ns.putObject("spec").putArray("finalizers").add("kubernetes");
      create("/api/v1/namespaces", ns);
    }
  }

  private void create(String collection, JsonNode body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    MockResponse response = dispatcher.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.POST, collection,
        Headers.builder().add("Content-Type", "application/json").build(), new Buffer(bytes)));
    if (response.code() != 201) {
      String detail = response.getBody() == null ? "" : new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
      throw new IllegalStateException("seeding " + collection + " failed with HTTP " + response.code() + ": " + detail);
    }
  }
}
