package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Requests that match any of {@code matches} go to {@code backends}. No matches means "every path". */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteRule {
  @Size(max = 16)
  private List<RouteMatch> matches = new ArrayList<>();

  @Required
  @Size(min = 1, max = 16)
  @ValidationRule(value = "self.exists(b, b.weight > 0)", message = "at least one backend must have a weight above 0")
  private List<RouteBackend> backends = new ArrayList<>();

  public List<RouteMatch> getMatches() {
    return matches;
  }

  public void setMatches(List<RouteMatch> matches) {
    this.matches = matches;
  }

  public List<RouteBackend> getBackends() {
    return backends;
  }

  public void setBackends(List<RouteBackend> backends) {
    this.backends = backends;
  }
}
