package dev.weir.controller.push;

import dev.weir.controller.pki.Credentials;
import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.SnapshotJson;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A dataplane stand-in: 4-byte length + JSON frames over a blocking socket, plaintext or TLS (JDK). */
public final class ControlPeer implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  /** Plaintext, for a server without TLS. */
  public ControlPeer(int port) throws IOException {
    this(new Socket("127.0.0.1", port));
  }

  private ControlPeer(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(5000);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  /**
   * Over TLS, trusting only {@code ca} and checking that the server's certificate names 127.0.0.1; presents
   * {@code client} as its certificate, or none when null. The handshake runs here, so a refusal throws.
   */
  public static ControlPeer tls(int port, Credentials client, X509Certificate ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManager[] keyManagers = null;
    if (client != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", client.key(), new char[0], new X509Certificate[] {client.certificate()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      keyManagers = kmf.getKeyManagers();
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers, tmf.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    try {
      socket.setSoTimeout(5000);
      socket.startHandshake();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    return new ControlPeer(socket);
  }

  public void send(ChannelMessage m) throws IOException {
    byte[] b = SnapshotJson.encode(m);
    out.writeInt(b.length);
    out.write(b);
    out.flush();
  }

  public ChannelMessage receive() throws IOException {
    int len = in.readInt();
    byte[] b = new byte[len];
    in.readFully(b);
    return SnapshotJson.decode(b);
  }

  public ChannelMessage receiveSkippingHeartbeats() throws IOException {
    ChannelMessage m;
    do {
      m = receive();
    } while (m instanceof ChannelMessage.Heartbeat);
    return m;
  }

  /** Drains what the server sends; true once it has closed the connection. */
  public boolean closedByServer() throws IOException {
    try {
      receive();
      return false;
    } catch (EOFException e) {
      return true;
    } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
      return true; // a TLS alert or a reset: the server ended the connection as well
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
