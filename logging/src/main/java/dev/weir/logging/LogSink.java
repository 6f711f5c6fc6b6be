package dev.weir.logging;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Where finished lines go. Each call carries one whole line, so concurrent lines never interleave. */
interface LogSink {
  void write(String line);

  /**
   * {@code System.err}, looked up per line (as slf4j-simple does by default) so that a test or a
   * launcher that redirects it still gets the output. One {@code write} of the encoded line:
   * {@link PrintStream} serializes those, so lines from many threads stay whole.
   */
  final class StdErr implements LogSink {
    @Override
    public void write(String line) {
      byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
      PrintStream err = System.err;
      err.write(bytes, 0, bytes.length);
      err.flush();
    }
  }
}
