package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;

/**
 * The rule's HTTP cache: a shared cache with RFC 9111's rules (what may be stored and for how long comes from
 * the backend's {@code Cache-Control}, {@code Expires}, {@code Vary} and validators), in the memory of each
 * dataplane replica. Without {@code cache} a rule is not cached; {@code cache: {}} caches with the defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteCache {
  /** A header name (an RFC 9110 token), or empty. */
  public static final String STATUS_HEADER_PATTERN = "^([A-Za-z0-9!#$%&'*+.^_`|~-]+)?$";
  public static final int MAX_PURGE_PATHS = 100;

  /** false: the rule is not cached, as without the block (the other fields are then ignored). */
  @Default("true")
  private Boolean enabled = Boolean.TRUE;

  /**
   * Responses with larger bodies are never stored; a Kubernetes quantity of bytes above 0, omitted: 1Mi.
   * A string in Java, as {@code maxRequestBodySize}, so that an unchecked value still deserialises.
   */
  @SchemaFrom(type = Quantity.class)
  @Pattern(RouteRule.MAX_BODY_SIZE_PATTERN)
  private String maxObjectSize;

  /**
   * The response header that says what the cache did: HIT, MISS, STALE, REVALIDATED or BYPASS. Omitted:
   * {@code X-Cache}; empty: no header.
   */
  @Size(max = 128)
  @Pattern(STATUS_HEADER_PATTERN)
  private String statusHeader;

  private Purge purge;

  public RouteCache() {}

  public RouteCache(Boolean enabled, String maxObjectSize, String statusHeader, Purge purge) {
    this.enabled = enabled;
    this.maxObjectSize = maxObjectSize;
    this.statusHeader = statusHeader;
    this.purge = purge;
  }

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getMaxObjectSize() {
    return maxObjectSize;
  }

  public void setMaxObjectSize(String maxObjectSize) {
    this.maxObjectSize = maxObjectSize;
  }

  public String getStatusHeader() {
    return statusHeader;
  }

  public void setStatusHeader(String statusHeader) {
    this.statusHeader = statusHeader;
  }

  public Purge getPurge() {
    return purge;
  }

  public void setPurge(Purge purge) {
    this.purge = purge;
  }

  /**
   * Drops stored responses of the rule: when {@code generation} changes, every dataplane replica drops them
   * once, all of them or only those of {@code paths}. Bump the generation to purge again; changing only the
   * paths purges nothing.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Purge {
    /** Any number; a value a replica has not seen for the rule yet means "purge now". */
    @Required
    private Long generation;

    /**
     * Request targets (path and query, exactly as requested: {@code /a?b=c}) to drop on every host of the
     * route; omitted or empty: everything the rule stored. Each must start with {@code /}.
     */
    // Item patterns, not a CEL rule: CEL over list items costs against the API server's budget (see hosts).
    @Size(max = MAX_PURGE_PATHS)
    private List<@Pattern("^/[^\\s#]*$") @Size(max = 2048) String> paths;

    public Purge() {}

    public Purge(Long generation, List<String> paths) {
      this.generation = generation;
      this.paths = paths;
    }

    public Long getGeneration() {
      return generation;
    }

    public void setGeneration(Long generation) {
      this.generation = generation;
    }

    public List<String> getPaths() {
      return paths;
    }

    public void setPaths(List<String> paths) {
      this.paths = paths;
    }
  }
}
