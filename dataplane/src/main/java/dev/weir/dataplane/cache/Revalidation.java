package dev.weir.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Validating a stored response with the upstream (RFC 9111 §4.3.1) and recognising which stored
 * response a 304 refers to (§4.3.4).
 */
public final class Revalidation {

  private Revalidation() {}

  /**
   * Prepares the headers of the request the cache sends upstream for a miss ({@code stored} null)
   * or a revalidation. The client's own If-None-Match and If-Modified-Since are removed: the
   * upstream's answer must be one the cache can store, and the client's conditions are then
   * answered from it by {@link ClientConditionals}. For a revalidation, the stored ETag goes in
   * If-None-Match and the stored Last-Modified in If-Modified-Since (§4.3.1: both when both
   * exist; the origin gives If-None-Match precedence).
   */
  public static void prepareUpstreamRequest(HttpHeaders upstreamRequest, StoredResponse stored) {
    upstreamRequest.remove(HttpHeaderNames.IF_NONE_MATCH);
    upstreamRequest.remove(HttpHeaderNames.IF_MODIFIED_SINCE);
    if (stored == null) {
      return;
    }
    if (stored.etag() != null) {
      upstreamRequest.set(HttpHeaderNames.IF_NONE_MATCH, stored.etag());
    }
    String lastModified = stored.header(HttpHeaderNames.LAST_MODIFIED);
    if (lastModified != null && HttpDates.valid(stored.lastModifiedMillis())) {
      upstreamRequest.set(HttpHeaderNames.IF_MODIFIED_SINCE, lastModified);
    }
  }

  /**
   * Whether a 304 refers to {@code stored} (§4.3.4): by its ETag when it has one (weak comparison;
   * a strong tag in the 304 matches only a strong stored tag), else by Last-Modified when it has
   * one. A 304 with neither is taken to answer the validators we sent from {@code stored} — the
   * RFC would identify a stored response only if it too lacked validators, but we only revalidate
   * one stored response at a time, so there is no other it could mean.
   */
  public static boolean refersTo(HttpHeaders notModified, StoredResponse stored) {
    String etag = notModified.get(HttpHeaderNames.ETAG);
    if (etag != null) {
      EntityTags.Tag fresh = EntityTags.parse(etag);
      EntityTags.Tag old = EntityTags.parse(stored.etag());
      return fresh != null && (fresh.weak() ? EntityTags.weakMatch(fresh, old) : EntityTags.strongMatch(fresh, old));
    }
    long lm = HttpDates.parse(notModified.getAll(HttpHeaderNames.LAST_MODIFIED));
    if (HttpDates.valid(lm)) {
      return lm == stored.lastModifiedMillis();
    }
    return true;
  }
}
