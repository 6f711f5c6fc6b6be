package dev.weir.dataplane.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A plain socket to 127.0.0.1 for hostile-client tests: writes exact bytes, and reads whatever
 * comes back until the server closes, resets, or a deadline passes, so a hung connection fails the
 * test instead of hanging it.
 */
public final class RawConnection implements AutoCloseable {

  /** How a read ended: the server closed, reset, nothing more came in time, or as many bytes as asked were read. */
  public enum End { EOF, RESET, TIMEOUT, COUNT }

  /** The bytes read (ISO-8859-1 text) and how the reading ended. */
  public record Received(String text, End end) {

    /** The status code of the first response, or -1 when there is none. */
    public int status() {
      if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
        return -1;
      }
      return Integer.parseInt(text.substring(9, 12));
    }

    /** The head of the first response (up to its blank line), lowercased. */
    public String head() {
      int end = text.indexOf("\r\n\r\n");
      return (end < 0 ? text : text.substring(0, end + 2)).toLowerCase(Locale.ROOT);
    }

    /** Number of responses (status lines) in what was read. */
    public int responses() {
      int n = 0;
      for (int i = text.indexOf("HTTP/1.1 "); i >= 0; i = text.indexOf("HTTP/1.1 ", i + 1)) {
        n++;
      }
      return n;
    }

    @Override
    public String toString() {
      return end + " after " + text.length() + " bytes: " + (text.length() > 600 ? text.substring(0, 600) + "..." : text);
    }
  }

  private final Socket socket;

  private RawConnection(Socket socket) {
    this.socket = socket;
  }

  public static RawConnection open(int port) {
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setTcpNoDelay(true);
      return new RawConnection(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends the request bytes and reads everything the server sends until it closes (or {@code timeoutMillis}). */
  public static Received exchange(int port, String request, int timeoutMillis) {
    try (RawConnection c = open(port)) {
      c.write(request);
      return c.readAll(timeoutMillis);
    }
  }

  public Socket socket() {
    return socket;
  }

  public void write(String text) {
    write(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public void write(byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void shutdownOutput() {
    try {
      socket.shutdownOutput();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes with SO_LINGER 0: the peer gets a reset, not a FIN. */
  public void reset() {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads exactly n bytes (fewer if the connection ends first or the deadline passes). */
  public Received read(int n, int timeoutMillis) {
    return readUpTo(n, timeoutMillis);
  }

  /** Reads until the server closes or resets the connection, or until {@code timeoutMillis} passed. */
  public Received readAll(int timeoutMillis) {
    return readUpTo(Integer.MAX_VALUE, timeoutMillis);
  }

  private Received readUpTo(int n, int timeoutMillis) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    byte[] buf = new byte[8192];
    try {
      InputStream in = socket.getInputStream();
      while (out.size() < n) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return new Received(out.toString(StandardCharsets.ISO_8859_1), End.TIMEOUT);
        }
        socket.setSoTimeout((int) Math.max(1, left));
        int r = in.read(buf, 0, (int) Math.min(buf.length, (long) n - out.size()));
        if (r < 0) {
          return new Received(out.toString(StandardCharsets.ISO_8859_1), End.EOF);
        }
        out.write(buf, 0, r);
      }
      return new Received(out.toString(StandardCharsets.ISO_8859_1), End.COUNT);
    } catch (SocketTimeoutException e) {
      return new Received(out.toString(StandardCharsets.ISO_8859_1), End.TIMEOUT);
    } catch (SocketException e) {
      return new Received(out.toString(StandardCharsets.ISO_8859_1), End.RESET);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
}
