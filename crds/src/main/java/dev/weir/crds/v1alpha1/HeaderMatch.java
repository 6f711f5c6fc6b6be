package dev.weir.crds.v1alpha1;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The request must carry this header with exactly this value (name compared case-insensitively). */
public class HeaderMatch {
  @Required
  @Pattern("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
  private String name;

  @Required
  private String value;

  public HeaderMatch() {}

  public HeaderMatch(String name, String value) {
    this.name = name;
    this.value = value;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }
}
