package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** All of path, headers, cookies and method must match. A missing path means PathPrefix "/". */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteMatch {
  private PathMatch path;

  @Size(max = 16)
  private List<HeaderMatch> headers = new ArrayList<>();

  @Size(max = 16)
  private List<CookieMatch> cookies = new ArrayList<>();

  @Pattern("^(GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH)$")
  private String method;

  public PathMatch getPath() {
    return path;
  }

  public void setPath(PathMatch path) {
    this.path = path;
  }

  public List<HeaderMatch> getHeaders() {
    return headers;
  }

  public void setHeaders(List<HeaderMatch> headers) {
    this.headers = headers;
  }

  public List<CookieMatch> getCookies() {
    return cookies;
  }

  public void setCookies(List<CookieMatch> cookies) {
    this.cookies = cookies;
  }

  public String getMethod() {
    return method;
  }

  public void setMethod(String method) {
    this.method = method;
  }
}
