package dev.weir.dataplane.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;

/** What Netty's HTTP/2-to-HTTP/1.x conversion adds to messages, and must not travel further. */
final class Http2Requests {

  private static final ExtensionHeaderNames[] EXTENSION_HEADERS = ExtensionHeaderNames.values();

  private Http2Requests() {}

  /** Removes the {@code x-http2-*} headers (stream id, scheme, path, ...) that the conversion sets. */
  static void removeExtensionHeaders(HttpHeaders headers) {
    for (ExtensionHeaderNames name : EXTENSION_HEADERS) {
      headers.remove(name.text());
    }
  }
}
