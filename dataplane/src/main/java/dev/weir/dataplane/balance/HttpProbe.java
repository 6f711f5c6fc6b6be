package dev.weir.dataplane.balance;

import dev.weir.snapshot.ClusterResilience.HealthCheck;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A health check over plain HTTP/1.1 on a blocking socket: {@code GET path} with {@code Host} (the
 * check's host, else the endpoint's address) and {@code Connection: close}; passes on a 2xx or 3xx
 * status line within the timeout (connect and answer together). Reads only the status line.
 */
public final class HttpProbe implements HealthChecker.Probe {
  private static final int MAX_STATUS_LINE = 1024;

  @Override
  public boolean check(InetSocketAddress address, HealthCheck check) throws IOException {
    long deadline = System.nanoTime() + check.timeout() * 1_000_000L;
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) Math.max(1, check.timeout()));
      String host = check.host() != null ? check.host() : hostHeader(address);
      String request = "GET " + check.path() + " HTTP/1.1\r\nHost: " + host
          + "\r\nUser-Agent: weir-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder(32);
      while (line.length() < MAX_STATUS_LINE) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        int b = in.read();
        if (b < 0 || b == '\n') {
          break;
        }
        line.append((char) b);
      }
      return passes(line.toString());
    }
  }

  /** Whether a status line says 2xx or 3xx. */
  static boolean passes(String statusLine) {
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
      return false;
    }
    char c = statusLine.charAt(9);
    return (c == '2' || c == '3') && Character.isDigit(statusLine.charAt(10)) && Character.isDigit(statusLine.charAt(11));
  }

  static String hostHeader(InetSocketAddress a) {
    String ip = NetUtil.toAddressString(a.getAddress()); // compressed IPv6, no scope
    return (a.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + a.getPort();
  }
}
