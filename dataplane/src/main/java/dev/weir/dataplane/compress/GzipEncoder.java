package dev.weir.dataplane.compress;

import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip (RFC 1952) over the JDK's zlib: a raw deflate stream between a 10-byte header and the
 * CRC-32/length trailer. The JDK's {@link Deflater} reads and writes {@link ByteBuffer}s in place
 * (direct ones included), so pooled network buffers are compressed without a copy.
 */
final class GzipEncoder extends ContentEncoder {

  private static final int MAGIC1 = 0x1f;
  private static final int MAGIC2 = 0x8b;
  private static final int CM_DEFLATE = 8;
  /** OS byte: 255, "unknown" (the header describes no file, so no OS applies). */
  private static final int OS_UNKNOWN = 0xff;

  private final Deflater deflater;
  private final CRC32 crc = new CRC32();
  private final int level;
  private final int sizeHint;
  private boolean headerWritten;

  /**
   * @param lengthHint the body's length when known, else -1: sizes the first output buffer
   */
  GzipEncoder(ByteBufAllocator alloc, int level, long lengthHint) {
    super(alloc);
    this.level = level;
    this.deflater = new Deflater(level, true);
    // Dynamic text at level 1 compresses to roughly a quarter to a third; a first window that large
    // usually holds all of a small body's output.
    this.sizeHint = lengthHint < 0 ? 8 * 1024 : (int) Math.min(EncodedOutput.CHUNK, Math.max(256, lengthHint / 3 + 64));
  }

  @Override
  public ContentCoding coding() {
    return ContentCoding.GZIP;
  }

  private void header(EncodedOutput out) {
    if (!headerWritten) {
      headerWritten = true;
      // XFL: 2 for the slowest level, 4 for the fastest, per RFC 1952 2.3.1; MTIME 0: none.
      int xfl = level == Deflater.BEST_COMPRESSION ? 2 : level == Deflater.BEST_SPEED ? 4 : 0;
      out.write(new byte[] {(byte) MAGIC1, (byte) MAGIC2, CM_DEFLATE, 0, 0, 0, 0, 0, (byte) xfl, (byte) OS_UNKNOWN});
    }
  }

  @Override
  void emitEncode(ByteBuffer src, EncodedOutput out) {
    header(out);
    crc.update(src.duplicate());
    deflater.setInput(src);
    while (!deflater.needsInput()) {
      ByteBuffer w = out.window(1, sizeHint);
      deflater.deflate(w, Deflater.NO_FLUSH);
      out.commit(w);
    }
  }

  @Override
  void emitFlush(EncodedOutput out) {
    header(out);
    // SYNC_FLUSH: output that fills the window completely may have more behind it (Deflater's contract).
    boolean full;
    do {
      ByteBuffer w = out.window(16, sizeHint);
      deflater.deflate(w, Deflater.SYNC_FLUSH);
      full = out.commit(w);
    } while (full);
  }

  @Override
  void emitFinish(EncodedOutput out) {
    header(out);
    deflater.finish();
    while (!deflater.finished()) {
      ByteBuffer w = out.window(16, sizeHint);
      deflater.deflate(w);
      out.commit(w);
    }
    int sum = (int) crc.getValue();
    int size = deflater.getTotalIn(); // RFC 1952 ISIZE: the length modulo 2^32
    out.write(
        new byte[] {
          (byte) sum, (byte) (sum >>> 8), (byte) (sum >>> 16), (byte) (sum >>> 24),
          (byte) size, (byte) (size >>> 8), (byte) (size >>> 16), (byte) (size >>> 24)
        });
  }

  @Override
  void freeNative() {
    deflater.end();
  }
}
