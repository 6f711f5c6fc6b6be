package dev.weir.dataplane.jmh;

import dev.weir.dataplane.compress.Compression;
import dev.weir.dataplane.compress.CompressionSettings;
import dev.weir.dataplane.compress.ContentCoding;
import dev.weir.dataplane.compress.ContentEncoder;
import com.aayushatharva.brotli4j.encoder.Encoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.BrotliEncoder;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.codec.compression.ZstdEncoder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of compressing one response body, encoder setup included (every response makes its own):
 * {@code weir} is dev.weir.dataplane.compress's encoder fed the body as one direct buffer; {@code
 * netty} is Netty's encoder for the same coding and level in an EmbeddedChannel, as Netty's
 * HttpContentEncoder runs it. Throughput in ops/s; MB/s = ops/s x size. The compressed size of
 * each case is printed once per trial ("ratio" line), since JMH does not report it.
 *
 * <p>Bodies are generated JSON (an array of product records) and HTML (a product list), seeded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CompressionBenchmark {

  /** coding-level. */
  @Param({"gzip-1", "gzip-6", "br-1", "br-4", "br-5", "zstd-1", "zstd-3"})
  public String codec;

  @Param({"1024", "16384", "1048576"})
  public int size;

  @Param({"json", "html"})
  public String body;

  private ByteBuf input;
  private Compression compression;
  private ContentCoding coding;
  private int level;

  @Setup(Level.Trial)
  public void setUp() {
    String[] parts = codec.split("-");
    coding = ContentCoding.fromToken(parts[0]);
    level = Integer.parseInt(parts[1]);
    CompressionSettings s = CompressionSettings.defaults();
    switch (coding) {
      case GZIP:
        s = s.withGzipLevel(level);
        break;
      case BROTLI:
        s = s.withBrotli(level, CompressionSettings.DEFAULT_BROTLI_WINDOW_BITS);
        break;
      default:
        s = s.withZstdLevel(level);
    }
    compression = new Compression(s);
    byte[] bytes = body.equals("json") ? json(size) : html(size);
    input = PooledByteBufAllocator.DEFAULT.directBuffer(size).writeBytes(bytes);
    ByteBuf out = encode();
    System.out.printf("ratio %s %s %d: %d -> %d bytes (%.3f)%n", codec, body, size, size, out.readableBytes(), out.readableBytes() / (double) size);
    out.release();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    input.release();
  }

  @Benchmark
  public int weir() {
    ByteBuf out = encode();
    int n = out.readableBytes();
    out.release();
    return n;
  }

  private ByteBuf encode() {
    ContentEncoder enc = compression.newEncoder(coding, PooledByteBufAllocator.DEFAULT, size);
    try {
      return enc.finish(input.retainedDuplicate());
    } finally {
      enc.close();
    }
  }

  @Benchmark
  public int netty() {
    EmbeddedChannel ch;
    switch (coding) {
      case GZIP:
        ch = new EmbeddedChannel(ZlibCodecFactory.newZlibEncoder(ZlibWrapper.GZIP, level));
        break;
      case BROTLI:
        ch = new EmbeddedChannel(new BrotliEncoder(new Encoder.Parameters().setQuality(level).setWindow(CompressionSettings.DEFAULT_BROTLI_WINDOW_BITS)));
        break;
      default:
        ch = new EmbeddedChannel(new ZstdEncoder(level));
    }
    ch.writeOutbound(input.retainedDuplicate());
    ch.finish();
    int n = 0;
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      n += b.readableBytes();
      b.release();
    }
    return n;
  }

  private static final String[] WORDS = {
    "id", "name", "price", "currency", "EUR", "available", "true", "false", "tags", "sale", "category",
    "shoes", "description", "A comfortable everyday shoe", "warehouse", "Rotterdam", "updated", "sku"
  };

  static byte[] json(int size) {
    SplittableRandom r = new SplittableRandom(1);
    StringBuilder sb = new StringBuilder(size + 256).append('[');
    while (sb.length() < size) {
      sb.append("{\"id\":").append(r.nextInt(1_000_000));
      for (int i = 0; i < 6; i++) {
        sb.append(",\"").append(WORDS[1 + r.nextInt(WORDS.length - 1)]).append("\":\"")
            .append(WORDS[r.nextInt(WORDS.length)]).append(' ').append(r.nextInt(10_000)).append('"');
      }
      sb.append("},\n");
    }
    return cut(sb, size);
  }

  static byte[] html(int size) {
    SplittableRandom r = new SplittableRandom(2);
    StringBuilder sb = new StringBuilder(size + 512).append("<!doctype html><html><head><title>Shop</title></head><body><ul>\n");
    while (sb.length() < size) {
      int id = r.nextInt(1_000_000);
      sb.append("<li class=\"product\" data-id=\"").append(id).append("\"><a href=\"/p/").append(id).append("\">")
          .append(WORDS[r.nextInt(WORDS.length)]).append(' ').append(WORDS[r.nextInt(WORDS.length)])
          .append("</a><span class=\"price\">").append(r.nextInt(500)).append('.').append(r.nextInt(100)).append(" EUR</span></li>\n");
    }
    return cut(sb, size);
  }

  private static byte[] cut(StringBuilder sb, int size) {
    byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[size];
    System.arraycopy(all, 0, out, 0, size);
    return out;
  }
}
