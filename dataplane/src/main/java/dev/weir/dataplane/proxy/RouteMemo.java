package dev.weir.dataplane.proxy;

import dev.weir.dataplane.config.RuntimeConfig;
import dev.weir.dataplane.routing.RouteMatch;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Optional;

/**
 * The route of the last request looked up on one connection (or HTTP/2 stream): the cache handler,
 * the compression handler and the proxy each need a request's route, and it is looked up once. A
 * request counts as the same while it is the same object under the same config with the same target
 * (the proxy rewrites an absolute-form target before routing, which routes again). One per
 * {@link FrontendHandler}; only its event loop touches it.
 */
public final class RouteMemo {
  private HttpRequest request;
  private RuntimeConfig config;
  private String target;
  private Optional<RouteMatch> match;

  /** The request's route under {@code config}, looked up unless this request was just looked up. */
  Optional<RouteMatch> route(HttpRequest r, RuntimeConfig c) {
    String uri = r.uri();
    if (r != request || c != config || !uri.equals(target)) {
      match = c.routes().match(r.headers().get(HttpHeaderNames.HOST), uri, r.method().name(), r.headers()::getAll);
      request = r;
      config = c;
      target = uri;
    }
    return match;
  }
}
