package dev.weir.dataplane.compress;

import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/** Test bodies (seeded, so every run sees the same bytes) and independent decoders for each coding. */
public final class Bodies {

  private static final String[] WORDS = {
    "id", "name", "price", "currency", "EUR", "available", "true", "false", "tags", "sale", "category",
    "shoes", "description", "A comfortable everyday shoe", "warehouse", "Rotterdam", "updated", "sku"
  };

  private Bodies() {}

  /** JSON-looking text of exactly {@code size} bytes: an array of product records, as an API returns. */
  static byte[] json(int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(size + 256);
    sb.append('[');
    while (sb.length() < size) {
      sb.append("{\"").append(WORDS[0]).append("\":").append(r.nextInt(1_000_000));
      for (int i = 0; i < 6; i++) {
        sb.append(",\"").append(WORDS[1 + r.nextInt(WORDS.length - 1)]).append("\":\"")
            .append(WORDS[r.nextInt(WORDS.length)]).append(' ').append(r.nextInt(10_000)).append('"');
      }
      sb.append("},\n");
    }
    byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[size];
    System.arraycopy(all, 0, out, 0, size);
    return out;
  }

  /** HTML-looking text of exactly {@code size} bytes: a product listing page. */
  static byte[] html(int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(size + 512);
    sb.append("<!doctype html><html><head><title>Shop</title><link rel=\"stylesheet\" href=\"/s.css\"></head><body><ul class=\"products\">\n");
    while (sb.length() < size) {
      int id = r.nextInt(1_000_000);
      sb.append("<li class=\"product\" data-id=\"").append(id).append("\"><a href=\"/p/").append(id).append("\">")
          .append(WORDS[r.nextInt(WORDS.length)]).append(' ').append(WORDS[r.nextInt(WORDS.length)])
          .append("</a><span class=\"price\">").append(r.nextInt(500)).append(".").append(r.nextInt(100))
          .append(" EUR</span></li>\n");
    }
    byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[size];
    System.arraycopy(all, 0, out, 0, size);
    return out;
  }

  /** Incompressible bytes. */
  static byte[] random(int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] out = new byte[size];
    for (int i = 0; i < size; i++) {
      out[i] = (byte) r.nextInt(256);
    }
    return out;
  }

  /** Decodes a complete encoded body with the coding's reference decoder (not ours: we have none). */
  public static byte[] decode(ContentCoding coding, byte[] encoded) {
    if (coding == ContentCoding.BROTLI) {
      return brotli(encoded, true);
    }
    try (InputStream in = decoder(coding, new ByteArrayInputStream(encoded))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes the first {@code n} bytes of a possibly incomplete encoded body (what a flush made available). */
  static byte[] decodePrefix(ContentCoding coding, byte[] encoded, int n) {
    if (coding == ContentCoding.BROTLI) {
      byte[] all = brotli(encoded, false);
      return java.util.Arrays.copyOf(all, Math.min(n, all.length));
    }
    try (InputStream in = decoder(coding, new ByteArrayInputStream(encoded))) {
      return in.readNBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Brotli through brotli4j's JNI decoder (the reference C decoder). Not its BrotliInputStream: that
   * one throws on a stream cut off after a flush instead of returning what it decoded, and it failed
   * here on a valid stream (the brotli command-line tool decodes it) where the decoder reports
   * NEEDS_MORE_INPUT while it still holds unread input, which the loop below handles.
   *
   * @param complete the stream must end (DONE); else decoding stops where the input does
   */
  private static byte[] brotli(byte[] encoded, boolean complete) {
    DecoderJNI.Wrapper d;
    try {
      d = new DecoderJNI.Wrapper(Math.max(1, encoded.length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      d.getInputBuffer().put(encoded);
      d.push(encoded.length);
      while (true) {
        DecoderJNI.Status status = d.getStatus();
        if (status == DecoderJNI.Status.NEEDS_MORE_OUTPUT || d.hasOutput()) {
          ByteBuffer chunk = d.pull();
          byte[] b = new byte[chunk.remaining()];
          chunk.get(b);
          out.writeBytes(b);
        } else if (status == DecoderJNI.Status.DONE) {
          return out.toByteArray();
        } else if (status == DecoderJNI.Status.OK) {
          d.push(0);
        } else if (status == DecoderJNI.Status.NEEDS_MORE_INPUT) {
          // Transient while the decoder still holds unread input: push nothing and look again.
          d.push(0);
          if (d.getStatus() != DecoderJNI.Status.NEEDS_MORE_INPUT || d.hasOutput()) {
            continue;
          }
          if (complete) {
            throw new UncheckedIOException(new IOException("brotli stream ends early"));
          }
          return out.toByteArray();
        } else {
          throw new UncheckedIOException(new IOException("brotli decoding failed: " + status));
        }
      }
    } finally {
      d.destroy();
    }
  }

  static InputStream decoder(ContentCoding coding, InputStream in) throws IOException {
    switch (coding) {
      case GZIP:
        return new GZIPInputStream(in);
      case BROTLI:
        return new BrotliInputStream(in);
      case ZSTD:
        return new ZstdInputStream(in);
      default:
        throw new IllegalArgumentException(coding.toString());
    }
  }
}
