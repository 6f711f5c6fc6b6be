package dev.weir.dataplane.proxy;

import dev.weir.dataplane.cache.ClientConditionals;
import dev.weir.dataplane.cache.HttpCache;
import dev.weir.dataplane.cache.StoredResponse;
import dev.weir.dataplane.pipeline.EncodedResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The responses the {@link CacheHandler} answers with itself, from stored ones or of its own. */
final class CachedAnswers {
  private static final short CRLF = ('\r' << 8) | '\n';

  private CachedAnswers() {}

  /** The answer to a request from {@code stored} as a message: a 304 when the client's validators match, else the stored response. */
  static FullHttpResponse fromStore(HttpMethod method, HttpHeaders client, StoredResponse stored, long age) {
    if (ClientConditionals.evaluate(method, client, stored) == ClientConditionals.Result.NOT_MODIFIED) {
      return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER,
          ClientConditionals.notModifiedHeaders(stored, age), EmptyHttpHeaders.INSTANCE);
    }
    HttpHeaders headers = HttpCache.responseHeaders(stored, age);
    ByteBuf body = HttpMethod.HEAD.equals(method) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(stored.body());
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(stored.status()), body, headers,
        EmptyHttpHeaders.INSTANCE);
  }

  /**
   * The full stored response in HTTP/1.1 wire form, one buffer: the stored head (encoded once per stored
   * response), {@code Age}, the status header, {@code Connection} when given, and the body unless HEAD.
   *
   * @param statusHeader null for none
   * @param connection the {@code Connection} value to send ({@code close}, {@code keep-alive}), or null
   */
  static EncodedResponse wire(ByteBufAllocator alloc, StoredResponse stored, long age, String statusHeader, String xcache,
      String connection, boolean withBody) {
    byte[] head = stored.wireHead();
    ByteBuf wire = alloc.directBuffer(head.length + 64 + (statusHeader == null ? 0 : statusHeader.length())
        + (withBody ? stored.bodyLength() : 0));
    wire.writeBytes(head);
    field(wire, "Age", Long.toString(age));
    if (statusHeader != null) {
      field(wire, statusHeader, xcache);
    }
    if (connection != null) {
      field(wire, "Connection", connection);
    }
    wire.writeShort(CRLF);
    if (withBody) {
      stored.writeBody(wire);
    }
    return new EncodedResponse(wire);
  }

  private static void field(ByteBuf wire, String name, String value) {
    wire.writeCharSequence(name, StandardCharsets.ISO_8859_1);
    wire.writeShort((':' << 8) | ' ');
    wire.writeCharSequence(value, StandardCharsets.ISO_8859_1);
    wire.writeShort(CRLF);
  }

  /** A short text answer of the cache's own (504 for only-if-cached). */
  static FullHttpResponse plain(HttpResponseStatus status, String message) {
    ByteBuf body = Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8").setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return r;
  }
}
