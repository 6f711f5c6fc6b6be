package dev.weir.e2e.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A ClusterIP Service in miniature for the control channel: one loopback port that forwards each new
 * TCP connection to the next of several backends, round robin, bytes copied both ways (TLS passes
 * through untouched). Like kube-proxy it knows nothing about leaders: a dataplane that lands on a
 * follower is refused and dials again.
 */
final class ServiceRelay implements AutoCloseable {
  private final ServerSocket server;
  private final List<IntSupplier> backends;
  private final AtomicInteger next = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  ServiceRelay(List<IntSupplier> backends) throws IOException {
    this.backends = backends;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread accept = new Thread(this::accept, "service-relay");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        int port = backends.get(Math.floorMod(next.getAndIncrement(), backends.size())).getAsInt();
        Socket out;
        try {
          out = new Socket(InetAddress.getLoopbackAddress(), port);
        } catch (IOException e) {
          in.close(); // a dead backend: the client sees its connection end and dials again
          continue;
        }
        open.add(in);
        open.add(out);
        pipe(in, out);
        pipe(out, in);
      } catch (IOException e) {
        // closed
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
        for (int n; (n = i.read(buf)) >= 0; ) {
          o.write(buf, 0, n);
          o.flush();
        }
      } catch (IOException e) {
        // either side went away
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "service-relay-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    open.forEach(ServiceRelay::closeQuietly);
  }
}
