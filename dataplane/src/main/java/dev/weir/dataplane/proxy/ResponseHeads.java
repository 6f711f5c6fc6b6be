package dev.weir.dataplane.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Rewrites an upstream response head for the client connection it goes out on. */
final class ResponseHeads {

  private ResponseHeads() {}

  /**
   * Strips hop-by-hop headers, frames the body for the client's HTTP version and sets
   * {@code Connection}. A body that runs until the upstream closes is re-chunked for HTTP/1.1
   * clients; HTTP/1.0 clients get it raw and the connection ends with it.
   *
   * @param keepAlive whether the client connection may carry another request after this response
   * @return whether it still may: false when the body's framing needs the connection closed
   */
  static boolean prepare(HttpResponse response, HttpVersion clientVersion, boolean headRequest, boolean keepAlive) {
    int code = response.status().code();
    HttpHeaders headers = response.headers();
    HopByHopHeaders.strip(headers);
    boolean http11 = clientVersion.equals(HttpVersion.HTTP_1_1);
    boolean bodiless = headRequest || code == 204 || code == 304 || code < 200;
    if (!bodiless) {
      boolean framed = HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response);
      if (!framed) {
        if (http11) {
          HttpUtil.setTransferEncodingChunked(response, true);
        } else {
          keepAlive = false;
        }
      } else if (!http11 && HttpUtil.isTransferEncodingChunked(response)) {
        // HTTP/1.0 has no chunked encoding: send the body raw and mark its end by closing.
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        keepAlive = false;
      }
    }
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (code >= 200) {
      if (!keepAlive) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (!http11) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
    }
    return keepAlive;
  }
}
