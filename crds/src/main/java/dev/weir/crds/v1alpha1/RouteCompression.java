package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule's response compression: a response of one of {@code contentTypes}, at least {@code minSize} long,
 * is encoded with the first of {@code encodings} the client accepts best ({@code Accept-Encoding}). Without
 * {@code compression} responses pass as they are; {@code compression: {}} compresses with the defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteCompression {
  /** The names of {@code encodings}, in the default order of preference. */
  public static final List<String> ENCODINGS = List.of("br", "zstd", "gzip");
  /**
   * A media type without parameters ({@code text/html}, {@code application/vnd.api+json}), or a wildcard for
   * a type ({@code text/*}) or a structured-syntax suffix ({@code application/*+json}); names as RFC 6838's.
   */
  public static final String MEDIA_RANGE_PATTERN =
      "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}|\\*|\\*\\+[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126})$";
  public static final int MAX_CONTENT_TYPES = 64;

  /** false: responses pass as they are, as without the block (the other fields are then ignored). */
  @Default("true")
  private Boolean enabled = Boolean.TRUE;

  /**
   * {@code br}, {@code zstd}, {@code gzip}, each at most once, in the order preferred when the client
   * accepts several equally; omitted: all three in that order. An empty list is refused: "none" is
   * {@code enabled: false}.
   */
  // Enum items count as short strings in the API server's CEL cost estimate, so this rule is cheap.
  @Size(min = 1, max = 3)
  @SchemaFrom(type = EncodingList.class)
  @ValidationRule(value = "self.all(e, self.exists_one(f, f == e))", message = "encodings must not repeat")
  private List<String> encodings;

  /** Smaller responses are sent as they are; a Kubernetes quantity of bytes, omitted: 1Ki. */
  @SchemaFrom(type = Quantity.class)
  @Pattern(RouteRule.MAX_BODY_SIZE_PATTERN)
  private String minSize;

  /**
   * The media types to compress ({@code text/html}, {@code text/*}, {@code application/*+json}), without
   * parameters, case-insensitive; omitted: the dataplane's list of text, JSON, JavaScript, XML, SVG and
   * WebAssembly types. {@code *}{@code /*} is refused (images, video and archives are compressed already).
   */
  @Size(min = 1, max = MAX_CONTENT_TYPES)
  private List<@Pattern(MEDIA_RANGE_PATTERN) @Size(max = 255) String> contentTypes;

  /** The schema of {@code encodings}: a list of the known names (the Java field takes any string). */
  public enum Encoding {
    @JsonProperty("br") BR,
    @JsonProperty("zstd") ZSTD,
    @JsonProperty("gzip") GZIP
  }

  /** Only for {@code @SchemaFrom}. */
  static final class EncodingList extends ArrayList<Encoding> {}

  public RouteCompression() {}

  public RouteCompression(Boolean enabled, List<String> encodings, String minSize, List<String> contentTypes) {
    this.enabled = enabled;
    this.encodings = encodings;
    this.minSize = minSize;
    this.contentTypes = contentTypes;
  }

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public List<String> getEncodings() {
    return encodings;
  }

  public void setEncodings(List<String> encodings) {
    this.encodings = encodings;
  }

  public String getMinSize() {
    return minSize;
  }

  public void setMinSize(String minSize) {
    this.minSize = minSize;
  }

  public List<String> getContentTypes() {
    return contentTypes;
  }

  public void setContentTypes(List<String> contentTypes) {
    this.contentTypes = contentTypes;
  }
}
