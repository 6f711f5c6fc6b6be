package dev.weir.controller.push;

import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.SnapshotJson;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A dataplane stand-in: 4-byte length + JSON frames over a blocking socket. */
public final class ControlPeer implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

public ControlPeer(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5000);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
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
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
