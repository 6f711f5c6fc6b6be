package dev.weir.dataplane.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.EncoderException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ContentEncoderTest {

  private static final Compression COMPRESSION = new Compression(CompressionSettings.defaults());
  private static final ByteBufAllocator POOLED = PooledByteBufAllocator.DEFAULT;

  /** Appends an encoder's output to {@code sink} and releases it, as a channel write would. */
  private static void drain(ByteBuf encoded, ByteArrayOutputStream sink) {
    try {
      byte[] b = new byte[encoded.readableBytes()];
      encoded.readBytes(b);
      sink.writeBytes(b);
    } finally {
      encoded.release();
    }
  }

  private static ByteBuf direct(byte[] body, int from, int len) {
    ByteBuf b = POOLED.directBuffer(len);
    b.writeBytes(body, from, len);
    return b;
  }

  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void oneBufferThenFinish(ContentCoding coding) {
    byte[] body = Bodies.json(16 * 1024, 1);
    ContentEncoder enc = COMPRESSION.newEncoder(coding, POOLED, body.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuf in = direct(body, 0, body.length);
    drain(enc.encode(in), out);
    assertEquals(0, in.refCnt(), "the encoder released its input");
    drain(enc.finish(), out);
    assertTrue(enc.finished());
    assertFalse(enc.open());
    enc.close(); // harmless after finish
    assertArrayEquals(body, Bodies.decode(coding, out.toByteArray()));
    assertEquals(body.length, enc.bytesIn());
    assertEquals(out.size(), enc.bytesOut());
    assertTrue(out.size() < body.length / 3, coding + " compressed 16 KiB of JSON to " + out.size());
  }

  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void aWholeBodyInOneFinish(ContentCoding coding) {
    byte[] body = Bodies.html(4000, 2);
    ContentEncoder enc = COMPRESSION.newEncoder(coding, POOLED, body.length);
    ByteBuf in = Unpooled.wrappedBuffer(body); // heap input works too
    ByteBuf encoded = enc.finish(in);
    assertEquals(0, in.refCnt());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    drain(encoded, out);
    assertArrayEquals(body, Bodies.decode(coding, out.toByteArray()));
  }

  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void anEmptyBody(ContentCoding coding) {
    ContentEncoder enc = COMPRESSION.newEncoder(coding, POOLED, -1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    drain(enc.encode(Unpooled.EMPTY_BUFFER), out);
    drain(enc.finish(), out);
    assertArrayEquals(new byte[0], Bodies.decode(coding, out.toByteArray()));
  }

  /**
   * A thousand small pieces of varying size, heap, direct and composite, unknown length; a flush
   * every hundred pieces. The output is one valid stream, and after each flush everything fed so far
   * decodes.
   */
  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void aThousandSmallChunksWithFlushes(ContentCoding coding) {
    SplittableRandom r = new SplittableRandom(3);
    byte[] body = Bodies.json(200_000, 3);
    ContentEncoder enc = COMPRESSION.newEncoder(coding, POOLED, -1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    for (int i = 0; i < 1000; i++) {
      int len = i == 999 ? body.length - pos : Math.min(body.length - pos, 1 + r.nextInt(399));
      ByteBuf piece;
      switch (i % 3) {
        case 0:
          piece = direct(body, pos, len);
          break;
        case 1:
          piece = Unpooled.copiedBuffer(body, pos, len);
          break;
        default:
          int half = len / 2;
          CompositeByteBuf c = POOLED.compositeDirectBuffer();
          c.addComponent(true, direct(body, pos, half));
          c.addComponent(true, Unpooled.copiedBuffer(body, pos + half, len - half));
          piece = c;
      }
      pos += len;
      drain(enc.encode(piece), out);
      assertEquals(0, piece.refCnt());
      if (i % 100 == 99) {
        drain(enc.flush(), out);
        byte[] soFar = Bodies.decodePrefix(coding, out.toByteArray(), pos);
        assertEquals(pos, soFar.length, "after a flush all " + pos + " bytes fed so far decode");
        assertArrayEquals(java.util.Arrays.copyOf(body, pos), soFar);
      }
    }
    assertEquals(body.length, pos);
    drain(enc.finish(), out);
    assertArrayEquals(body, Bodies.decode(coding, out.toByteArray()));
  }

  /** 5 MB in 64 KiB pieces with the length known (zstd pledges it), and 1 MB that does not compress. */
  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void largeBodies(ContentCoding coding) {
    for (byte[] body : List.of(Bodies.html(5_000_000, 4), Bodies.random(1_000_000, 5))) {
      ContentEncoder enc = COMPRESSION.newEncoder(coding, POOLED, body.length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int chunks = 0;
      for (int pos = 0; pos < body.length; pos += 65536) {
        ByteBuf encoded = enc.encode(direct(body, pos, Math.min(65536, body.length - pos)));
        chunks += encoded.isReadable() ? 1 : 0;
        drain(encoded, out);
      }
      drain(enc.finish(), out);
      assertArrayEquals(body, Bodies.decode(coding, out.toByteArray()));
      if (body.length > 2 * 1024 * 1024) {
        // brotli at quality 4 and up merges input into metablocks of up to 2^(lgwin+1) bytes before it emits any
        assertTrue(chunks > 1, "output streams out before the end, not all at finish");
      }
      if (body.length > 1_000_000) {
        assertTrue(out.size() < body.length / 4, coding + ": 5 MB of HTML became " + out.size());
      } else {
        assertTrue(out.size() < body.length * 1.01 + 1024, coding + ": incompressible data grew to " + out.size());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void everyLevelRoundTrips(ContentCoding coding) {
    byte[] body = Bodies.json(50_000, 6);
    int[] levels = coding == ContentCoding.GZIP ? new int[] {1, 6, 9} : coding == ContentCoding.BROTLI ? new int[] {0, 4, 11} : new int[] {-5, 1, 3, 19};
    for (int level : levels) {
      CompressionSettings s = CompressionSettings.defaults();
      s = coding == ContentCoding.GZIP ? s.withGzipLevel(level) : coding == ContentCoding.BROTLI ? s.withBrotli(level, 22) : s.withZstdLevel(level);
      ContentEncoder enc = new Compression(s).newEncoder(coding, POOLED, -1);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      drain(enc.encode(direct(body, 0, 30_000)), out);
      drain(enc.finish(direct(body, 30_000, 20_000)), out);
      assertArrayEquals(body, Bodies.decode(coding, out.toByteArray()), coding + " level " + level);
    }
  }

  /**
   * Abandoned midway (the exchange failed): close() frees every buffer the encoder allocated.
   * Counted exactly with an unpooled allocator's direct-memory metric, which the pooled one's caches
   * would blur.
   */
  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void abandoningMidwayReleasesEverything(ContentCoding coding) {
    UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
    byte[] body = Bodies.html(300_000, 7);
    ContentEncoder enc = COMPRESSION.newEncoder(coding, alloc, body.length);
    List<ByteBuf> written = new ArrayList<>();
    for (int pos = 0; pos < 150_000; pos += 10_000) {
      ByteBuf in = alloc.directBuffer(10_000).writeBytes(body, pos, 10_000);
      written.add(enc.encode(in));
      assertEquals(0, in.refCnt());
    }
    written.forEach(ByteBuf::release); // what a failed write does with them
    enc.close();
    assertFalse(enc.open());
    assertEquals(0, alloc.metric().usedDirectMemory(), "all direct memory given back");
    ByteBuf late = alloc.directBuffer(10).writeZero(10);
    assertThrows(IllegalStateException.class, () -> enc.encode(late));
    assertEquals(0, late.refCnt(), "input after close is released too");
    assertThrows(IllegalStateException.class, enc::flush);
    assertThrows(IllegalStateException.class, enc::finish);
    ByteBuf last = alloc.directBuffer(10).writeZero(10);
    assertThrows(IllegalStateException.class, () -> enc.finish(last));
    assertEquals(0, last.refCnt());
    enc.close(); // idempotent
    assertEquals(0, alloc.metric().usedDirectMemory());
  }

  /** A codec failure mid-stream (more bytes than zstd was pledged) closes the encoder and frees its buffers. */
  @Test
  void aCodecFailureClosesTheEncoder() {
    UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
    ContentEncoder enc = COMPRESSION.newEncoder(ContentCoding.ZSTD, alloc, 100);
    byte[] body = Bodies.json(300_000, 8);
    ByteBuf in = alloc.directBuffer(body.length).writeBytes(body);
    EncoderException e =
        assertThrows(
            EncoderException.class,
            () -> {
              ByteBuf out = enc.encode(in);
              out.release();
              enc.finish().release();
            });
    assertTrue(e.getMessage().startsWith("zstd"), e.getMessage());
    assertEquals(0, in.refCnt());
    assertFalse(enc.open());
    assertFalse(enc.finished());
    assertEquals(0, alloc.metric().usedDirectMemory());
    enc.close();
  }

  /** Finishing short of the pledged length is a failure too (the upstream body was cut off). */
  @Test
  void aTruncatedBodyOfKnownLengthFailsAtFinish() {
    UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
    ContentEncoder enc = COMPRESSION.newEncoder(ContentCoding.ZSTD, alloc, 10_000);
    enc.encode(alloc.directBuffer(5000).writeZero(5000)).release();
    assertThrows(EncoderException.class, enc::finish);
    assertFalse(enc.open());
    assertEquals(0, alloc.metric().usedDirectMemory());
  }
}
