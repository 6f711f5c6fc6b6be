package dev.weir.dataplane.compress;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Encoders abandoned midway give back their codec's native memory (zlib's, brotli's, zstd's state
 * outside the heap, which no garbage collection frees in time). Measured as the process's resident
 * set less the Java heap and Netty's pool: with close() it levels off after a few hundred encoders; without it, it grew here by about
 * 1.5 MB per brotli or zstd encoder and 0.26 MB per gzip one (a run with close() left out showed
 * it), so 600 leaked encoders exceed the allowance at least threefold.
 */
class NativeMemoryTest {

  private static final int ENCODERS = 600;
  /**
   * A quarter to a third of what leaking would cost (600 x 0.26 MB for gzip, 600 x 1.5 MB for brotli
   * and zstd): the rest is slack for malloc's arenas and the heap's pages, which in this JVM (other
   * tests before, the PARANOID leak detector) still grew zstd's measure by up to 80 MB with close().
   */
  private static long allowedGrowth(ContentCoding coding) {
    return (coding == ContentCoding.GZIP ? 48L : 256L) * 1024 * 1024;
  }

  /**
   * Resident memory that is neither Java heap nor Netty's pooled direct memory: the JVM's heap
   * grows while these run (the PARANOID leak detector records traces), which is not what is measured.
   */
  private static long nativeResident() throws IOException {
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    long pooled = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    return rss() - heap - pooled;
  }

  private static long rss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void abandonedEncodersFreeTheirNativeState(ContentCoding coding) throws IOException {
    Compression compression = new Compression(CompressionSettings.defaults());
    byte[] body = Bodies.html(600_000, 9); // enough to fill brotli's and zstd's windows and tables
    round(compression, coding, body, 300); // warm: malloc arenas, Netty's pool, the heap settle within this
    long before = nativeResident();
    round(compression, coding, body, ENCODERS);
    long growth = nativeResident() - before;
    assertTrue(growth < allowedGrowth(coding), coding + ": resident set grew by " + growth / 1024 + " KiB over " + ENCODERS + " abandoned encoders");
    System.out.println(coding + ": native resident growth " + growth / 1024 + " KiB over " + ENCODERS + " abandoned encoders");
  }

  private static void round(Compression compression, ContentCoding coding, byte[] body, int encoders) {
    for (int i = 0; i < encoders; i++) {
      ContentEncoder enc = compression.newEncoder(coding, PooledByteBufAllocator.DEFAULT, -1);
      try {
        for (int pos = 0; pos < body.length; pos += 100_000) {
          ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(100_000).writeBytes(body, pos, Math.min(100_000, body.length - pos));
          enc.encode(in).release();
        }
      } finally {
        enc.close(); // the exchange failed before the body's end
      }
    }
  }
}
