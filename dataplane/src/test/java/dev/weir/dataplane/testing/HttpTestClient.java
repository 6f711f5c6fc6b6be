package dev.weir.dataplane.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A small blocking HTTP/1.1 client over one TCP (or TLS) connection to 127.0.0.1, for tests that
 * need what java.net.http does not allow: any Host header, raw or malformed requests, streamed
 * chunked uploads, several requests on one connection, and seeing the connection close.
 * Every read has a timeout (10 s by default), so a test never hangs.
 */
public final class HttpTestClient implements AutoCloseable {

  /** A response; header names are lowercase. */
  public record Response(int status, String reason, Map<String, List<String>> headers, byte[] body) {

    /** The first value of a header, or null. */
    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** For {@link EchoBackend} answers: the value of a {@code key=value} line, or null. */
    public String echo(String key) {
      for (String line : text().split("\n")) {
        if (line.startsWith(key + "=")) {
          return line.substring(key.length() + 1);
        }
      }
      return null;
    }

    /** For {@link EchoBackend} answers: the value of a header the backend received, or null. */
    public String echoedHeader(String name) {
      String prefix = "header " + name.toLowerCase(Locale.ROOT) + ": ";
      for (String line : text().split("\n")) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length());
        }
      }
      return null;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private HttpTestClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    this.in = new java.io.BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** A plain TCP connection to 127.0.0.1:port. */
  public static HttpTestClient connect(int port) {
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      return new HttpTestClient(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A plain TCP connection with a small socket receive buffer (set before connecting, so the TCP
   * window stays small): a client that does not read then soon makes the server's writes wait.
   */
  public static HttpTestClient connect(int port, int receiveBufferBytes) {
    try {
      Socket s = new Socket();
      s.setReceiveBufferSize(receiveBufferBytes);
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      return new HttpTestClient(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A TLS connection to 127.0.0.1:port that sends {@code sniHost} (null: no SNI) and trusts any
   * certificate; {@link #peerCertificate()} tells which one the server chose.
   */
  public static HttpTestClient connectTls(int port, String sniHost) {
    return connectTls(port, sniHost, null);
  }

  /** As {@link #connectTls(int, String)}, presenting {@code clientCertificate} (null: none) when the server asks. */
  public static HttpTestClient connectTls(int port, String sniHost, TestPki.Leaf clientCertificate) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(clientCertificate == null ? null : keyManagers(clientCertificate), new TrustManager[] {new TrustAll()}, new SecureRandom());
      Socket plain = new Socket();
      plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
      SSLParameters params = s.getSSLParameters();
      params.setServerNames(sniHost == null ? List.of() : List.of(new SNIHostName(sniHost)));
      s.setSSLParameters(params);
      s.startHandshake();
      return new HttpTestClient(s);
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("TLS connection failed: " + e, e);
    }
  }

  /** Key managers that present {@code leaf} (its certificate and key) as a client certificate. */
  public static javax.net.ssl.KeyManager[] keyManagers(TestPki.Leaf leaf) throws java.security.GeneralSecurityException, IOException {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test-only".toCharArray();
    store.setKeyEntry("client", dev.weir.snapshot.pem.PemKeys.privateKey(leaf.keyPem()), password,
        new java.security.cert.Certificate[] {leaf.certificate()});
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    return kmf.getKeyManagers();
  }

  /** One GET on a new connection (with {@code Connection: close}). */
  public static Response get(int port, String host, String path) {
    try (HttpTestClient c = connect(port)) {
      return c.request("GET", host, path, Map.of("Connection", "close"), null);
    }
  }

  /** The server's leaf certificate (TLS connections only). */
  public X509Certificate peerCertificate() {
    try {
      return (X509Certificate) ((SSLSocket) socket).getSession().getPeerCertificates()[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void setReadTimeoutMillis(int millis) {
    try {
      socket.setSoTimeout(millis);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET on this connection (keep-alive). */
  public Response get(String host, String path) {
    return request("GET", host, path, Map.of(), null);
  }

  /**
   * Sends a request and reads its response. A non-null body is sent with Content-Length.
   *
   * @param host the Host header, or null for none
   */
  public Response request(String method, String host, String path, Map<String, String> headers, byte[] body) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    if (host != null) {
      head.append("Host: ").append(host).append("\r\n");
    }
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    writeRaw(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      writeRaw(body);
    }
    return readResponse("HEAD".equals(method));
  }

  /** Starts a chunked request; write the body with {@link #writeChunk} and end it with {@link #endChunks()}. */
  public void startChunked(String method, String host, String path, Map<String, String> headers) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Transfer-Encoding: chunked\r\n\r\n");
    writeRaw(head.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  public void writeChunk(byte[] data, int offset, int length) {
    if (length == 0) {
      return;
    }
    writeRaw((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    try {
      out.write(data, offset, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writeRaw("\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  public void endChunks() {
    writeRaw("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  public void writeRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one final response (1xx interim responses are skipped). */
  public Response readResponse(boolean headRequest) {
    try {
      while (true) {
        String status = readLine();
        if (status == null) {
          throw new EOFException("connection closed before a response");
        }
        String[] parts = status.split(" ", 3);
        int code = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = readHeaders();
        if (code >= 100 && code < 200) {
          continue;
        }
        byte[] body = readBody(code, headRequest, headers);
        return new Response(code, parts.length > 2 ? parts[2] : "", headers, body);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the head of a response only; read its (chunked) body with {@link #readChunk()}. */
  public Response readResponseHead() {
    try {
      String status = readLine();
      if (status == null) {
        throw new EOFException("connection closed before a response");
      }
      String[] parts = status.split(" ", 3);
      return new Response(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", readHeaders(), new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next chunk of a chunked body; empty at its end (the trailer is consumed). */
  public byte[] readChunk() {
    try {
      String size = readLine();
      int n = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (n == 0) {
        readHeaders();
        return new byte[0];
      }
      byte[] data = in.readNBytes(n);
      if (data.length < n) {
        throw new EOFException("chunk truncated");
      }
      readLine();
      return data;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Exactly n raw bytes (after a protocol switch, say); fails if the connection ends first. */
  public byte[] readBytes(int n) {
    try {
      byte[] data = in.readNBytes(n);
      if (data.length < n) {
        throw new EOFException("connection closed after " + data.length + " of " + n + " bytes");
      }
      return data;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Half-closes the connection: the server sees the end of input, the client can still read. */
  public void shutdownOutput() {
    try {
      socket.shutdownOutput();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True when the server closes the connection within the read timeout (no more bytes arrive). */
  public boolean awaitClosedByServer() {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private Map<String, List<String>> readHeaders() throws IOException {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String line;
    while ((line = readLine()) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    return headers;
  }

  private byte[] readBody(int code, boolean headRequest, Map<String, List<String>> headers) throws IOException {
    if (headRequest || code == 204 || code == 304) {
      return new byte[0];
    }
    List<String> te = headers.get("transfer-encoding");
    if (te != null && te.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      byte[] chunk;
      while ((chunk = readChunk()).length > 0) {
        body.writeBytes(chunk);
      }
      return body.toByteArray();
    }
    List<String> length = headers.get("content-length");
    if (length != null) {
      int n = Integer.parseInt(length.get(0));
      byte[] body = in.readNBytes(n);
      if (body.length < n) {
        throw new EOFException("body truncated: " + body.length + " of " + n);
      }
      return body;
    }
    return in.readAllBytes();
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
