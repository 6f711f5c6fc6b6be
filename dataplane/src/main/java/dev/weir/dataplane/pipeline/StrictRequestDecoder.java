package dev.weir.dataplane.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import java.util.List;

/**
 * Netty's request decoder, held to the letter of RFC 9112 where Netty 4.2 is lenient, so that the
 * proxy and an upstream can never read a request's boundaries differently. Netty already refuses
 * conflicting or repeated Content-Length, Transfer-Encoding with Content-Length, a final coding other
 * than {@code chunked}, bad chunk sizes, bare CR or LF and control characters in fields. This adds,
 * by looking at the bytes of each request head before Netty parses them:
 * <ul>
 *   <li>obs-fold (a header line that starts with a space or tab, RFC 9112 5.2), which Netty joins
 *       into the previous value;</li>
 *   <li>a request line that is not exactly {@code method SP target SP version CRLF} (3): extra or
 *       leading spaces, tabs, a bare CR, NUL and other control characters or DEL in the target, all
 *       of which Netty accepts (and would pass on to the upstream);</li>
 *   <li>bytes that cannot start a request (a TLS handshake, binary garbage) are refused at once
 *       instead of waiting for a line end.</li>
 * </ul>
 * A refused head comes out as an {@link HttpRequest} whose {@link DecoderResult} is a
 * {@link MalformedRequestException}, as Netty reports its own failures; everything the client sends
 * after it is discarded.
 *
 * <p>An accepted head gets canonical framing headers for the upstream: {@code Transfer-Encoding}
 * becomes exactly {@code chunked} (not {@code CHUNKED}: an upstream that only knows the lowercase
 * spelling would read the chunks as the next request), {@code Content-Length} a plain decimal
 * ({@code 05} becomes {@code 5}), and {@code HTTP/1.x} with x above 1 is handled as HTTP/1.1
 * (RFC 9110 2.5).
 *
 * <p>The leniency switches of Netty ({@code -Dio.netty.handler.codec.http.rfc9112TransferEncoding}
 * and friends) are overridden: see {@link #strict(HttpDecoderConfig)}.
 */
public class StrictRequestDecoder extends HttpRequestDecoder {

  /** Why a request head was refused by {@link StrictRequestDecoder}. */
  public static final class MalformedRequestException extends RuntimeException {
    MalformedRequestException(String message) {
      super(message, null, false, false);
    }
  }

  private final HeadScanner scanner = new HeadScanner();
  /** Head bytes beyond the reader index already scanned (they are not consumed until their line is complete). */
  private int scannedAhead;
  /** Between a request head and the end of its body: its bytes are not scanned. */
  private boolean inBody;
  /** A request was refused: everything from now on is discarded. */
  private boolean discarding;

  public StrictRequestDecoder(HttpDecoderConfig config) {
    super(strict(config));
  }

  /** A copy of {@code config} with every check that guards message framing switched on. */
  public static HttpDecoderConfig strict(HttpDecoderConfig config) {
    return config.clone()
        .setValidateHeaders(true)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true)
        .setAllowDuplicateContentLengths(false)
        .setChunkedSupported(true);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (discarding) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int scannedTo = -1;
    if (!inBody && !scanner.headComplete()) {
      int from = in.readerIndex() + scannedAhead;
      int end = from >= in.writerIndex() ? -1 : in.forEachByte(from, in.writerIndex() - from, scanner);
      String problem = scanner.problem();
      if (problem != null) {
        refuse(in, out, problem);
        return;
      }
      scannedTo = end < 0 ? in.writerIndex() : end + 1;
    }
    int first = out.size();
    super.decode(ctx, in, out);
    for (int i = first; i < out.size(); i++) {
      Object msg = out.get(i);
      if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
        discardFromNowOn(); // Netty gave up on the connection too (its BAD_MESSAGE state)
      }
      if (msg instanceof HttpRequest request) {
        inBody = true;
        if (request.decoderResult().isSuccess()) {
          canonicalize(request);
        }
      }
      if (msg instanceof LastHttpContent) {
        // A message ends its decode call: the next bytes start the next request.
        inBody = false;
        scanner.reset();
        scannedTo = -1;
      }
    }
    // Netty consumes a head line by line: what it left of the scanned part is not scanned again.
    scannedAhead = inBody || scannedTo < 0 ? 0 : Math.max(0, scannedTo - in.readerIndex());
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (discarding) {
      in.skipBytes(in.readableBytes());
      return;
    }
    super.decodeLast(ctx, in, out);
  }

  /** Discards everything the client sends from now on (the connection is being closed). */
  protected final void discardFromNowOn() {
    discarding = true;
  }

  private void refuse(ByteBuf in, List<Object> out, String problem) {
    discardFromNowOn();
    in.skipBytes(in.readableBytes());
    HttpMessage invalid = createInvalidMessage();
    invalid.setDecoderResult(DecoderResult.failure(new MalformedRequestException(problem)));
    out.add(invalid);
  }

  /** Rewrites the framing headers of an accepted head to their one canonical spelling. */
  static void canonicalize(HttpRequest request) {
    HttpHeaders headers = request.headers();
    String te = headers.get(HttpHeaderNames.TRANSFER_ENCODING);
    if (te != null && headers.getAll(HttpHeaderNames.TRANSFER_ENCODING).size() == 1 && te.trim().equalsIgnoreCase("chunked")) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    }
    String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null && headers.getAll(HttpHeaderNames.CONTENT_LENGTH).size() == 1) {
      String canonical = canonicalLength(length.trim());
      if (canonical != null && !canonical.equals(length)) {
        headers.set(HttpHeaderNames.CONTENT_LENGTH, canonical);
      }
    }
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() == 1 && version.minorVersion() > 1) {
      request.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
  }

  /** {@code 1*DIGIT} without leading zeros, or null when it is not a decimal the decoder accepted. */
  private static String canonicalLength(String digits) {
    if (digits.isEmpty()) {
      return null;
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    int start = 0;
    while (start < digits.length() - 1 && digits.charAt(start) == '0') {
      start++;
    }
    return digits.substring(start);
  }

  /**
   * Reads a request head byte by byte (it may arrive in pieces) up to its empty line and notes the
   * first thing RFC 9112 does not allow there that Netty would accept. It stops (returns false) at
   * the end of the head or at a problem.
   */
  static final class HeadScanner implements ByteProcessor {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private enum State {
      /** Empty lines (CRLF) may come before a request line (RFC 9112 2.2). */
      BEFORE_LINE,
      BEFORE_LINE_LF,
      METHOD,
      TARGET,
      VERSION,
      REQUEST_LINE_LF,
      /** At the start of a header line, or of the empty line that ends the head. */
      LINE_START,
      FIELD,
      FIELD_LF,
      END_LF,
      DONE
    }

    private State state = State.BEFORE_LINE;
    /** Bytes in the current request-line token (target or version). */
    private int run;
    private String problem;

    void reset() {
      state = State.BEFORE_LINE;
      run = 0;
      problem = null;
    }

    /** The head's empty line was scanned (or a problem found): the rest is the body or another request. */
    boolean headComplete() {
      return state == State.DONE;
    }

    String problem() {
      return problem;
    }

    @Override
    public boolean process(byte b) {
      switch (state) {
        case BEFORE_LINE:
          if (b == CR) {
            return to(State.BEFORE_LINE_LF);
          }
          return isTchar(b) ? to(State.METHOD) : fail(b == LF ? "bare LF before the request line" : "the request does not start with a method");
        case BEFORE_LINE_LF:
          return b == LF ? to(State.BEFORE_LINE) : fail("bare CR before the request line");
        case METHOD:
          if (b == ' ') {
            return to(State.TARGET);
          }
          return isTchar(b) || fail("invalid character in the method");
        case TARGET:
          if (b == ' ') {
            return run > 0 ? to(State.VERSION) : fail("extra space in the request line");
          }
          // Visible ASCII, and (leniently, as most servers do) raw non-ASCII bytes; never a control
          // character, a tab or DEL.
          run++;
          return (b > 0x20 && b != 0x7f) || b < 0 || fail("invalid character in the request target");
        case VERSION:
          if (b == CR) {
            return run > 0 ? to(State.REQUEST_LINE_LF) : fail("no version in the request line");
          }
          run++;
          return isVersionChar(b) || fail(b == ' ' ? "extra space in the request line" : "invalid character in the request line");
        case REQUEST_LINE_LF:
          return b == LF ? to(State.LINE_START) : fail("bare CR in the request line");
        case LINE_START:
          if (b == CR) {
            return to(State.END_LF);
          }
          if (b == ' ' || b == '\t') {
            return fail("obs-fold (a header line starting with whitespace)");
          }
          return checkFieldByte(b) && to(State.FIELD);
        case FIELD:
          if (b == CR) {
            return to(State.FIELD_LF);
          }
          return checkFieldByte(b);
        case FIELD_LF:
          return b == LF ? to(State.LINE_START) : fail("bare CR in a header line");
        case END_LF:
          if (b == LF) {
            state = State.DONE;
            return false;
          }
          return fail("bare CR at the end of the head");
        default:
          return false;
      }
    }

    private boolean checkFieldByte(byte b) {
      if (b == LF) {
        return fail("bare LF in a header line");
      }
      if (b == 0) {
        return fail("NUL in a header line");
      }
      return true;
    }

    private boolean to(State next) {
      state = next;
      run = 0;
      return true;
    }

    private boolean fail(String why) {
      problem = why;
      state = State.DONE;
      return false;
    }

    /** RFC 9110 5.6.2 {@code tchar}. */
    private static boolean isTchar(byte b) {
      if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
        return true;
      }
      return b > 0 && "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }

    /** {@code HTTP/1.1}: letters, digits, slash and dot (Netty checks the version itself). */
    private static boolean isVersionChar(byte b) {
      return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '/' || b == '.';
    }
  }
}
