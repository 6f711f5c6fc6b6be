package dev.weir.dataplane.cache;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Answers a client's conditional GET or HEAD from a stored response (RFC 9111 §4.3.2,
 * RFC 9110 §13.1.2, §13.1.3 and the precedence of §13.2.2): If-None-Match, by weak comparison,
 * {@code *} matching any stored response; If-Modified-Since only when there is no If-None-Match,
 * only for GET and HEAD, only with a single valid HTTP-date, compared with the stored
 * Last-Modified or, without one, its Date.
 *
 * <p>Requests with If-Match, If-Unmodified-Since or If-Range are not evaluated here: the caller
 * forwards them ({@link HttpCache#lookup} bypasses them), since an origin must judge those.
 */
public final class ClientConditionals {

  /** The answer to send to the client. */
  public enum Result {
    /** 304 Not Modified with {@link #notModifiedHeaders}. */
    NOT_MODIFIED,
    /** The full stored response. */
    FULL
  }

  /** §15.4.5: what a 304 carries when the 200 would have had it (Last-Modified too, as many servers send it). */
  private static final List<CharSequence> NOT_MODIFIED_FIELDS =
      List.of(
          HttpHeaderNames.CACHE_CONTROL,
          HttpHeaderNames.CONTENT_LOCATION,
          HttpHeaderNames.DATE,
          HttpHeaderNames.ETAG,
          HttpHeaderNames.EXPIRES,
          HttpHeaderNames.VARY,
          HttpHeaderNames.LAST_MODIFIED);

  private ClientConditionals() {}

  /** Evaluates the request's If-None-Match / If-Modified-Since against {@code stored}. */
  public static Result evaluate(HttpMethod method, HttpHeaders request, StoredResponse stored) {
    boolean getOrHead = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
    if (!getOrHead) {
      return Result.FULL;
    }
    List<String> inm = request.getAll(HttpHeaderNames.IF_NONE_MATCH);
    if (!inm.isEmpty()) {
      if (EntityTags.isAny(inm)) {
        return Result.NOT_MODIFIED; // a stored response is a current representation
      }
      EntityTags.Tag current = EntityTags.parse(stored.etag());
      for (EntityTags.Tag t : EntityTags.parseList(inm)) {
        if (EntityTags.weakMatch(t, current)) {
          return Result.NOT_MODIFIED;
        }
      }
      return Result.FULL; // §13.2.2: If-Modified-Since is not evaluated when If-None-Match is present
    }
    List<String> ims = request.getAll(HttpHeaderNames.IF_MODIFIED_SINCE);
    if (ims.size() != 1) {
      return Result.FULL; // absent, or more than one member: ignored (§13.1.3)
    }
    long since = HttpDates.parse(ims.get(0));
    if (!HttpDates.valid(since)) {
      return Result.FULL;
    }
    long modified = HttpDates.valid(stored.lastModifiedMillis()) ? stored.lastModifiedMillis() : stored.dateMillis();
    return modified <= since ? Result.NOT_MODIFIED : Result.FULL;
  }

  /** The headers of a 304 answering from {@code stored}, with the Age the caller computed. */
  public static HttpHeaders notModifiedHeaders(StoredResponse stored, long ageSeconds) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (var e : stored.headers()) {
      for (CharSequence name : NOT_MODIFIED_FIELDS) {
        if (AsciiString.contentEqualsIgnoreCase(e.getKey(), name)) {
          h.add(e.getKey(), e.getValue());
          break;
        }
      }
    }
    h.set(HttpHeaderNames.AGE, ageSeconds);
    return h;
  }
}
