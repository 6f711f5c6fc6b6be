package dev.weir.crds.v1alpha1;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A name (an HTTP token) that must be present with exactly this value: what header and cookie matches share. */
public abstract class NameValueMatch {
  @Required
  @Pattern("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
  private String name;

  @Required
  private String value;

  protected NameValueMatch() {}

  protected NameValueMatch(String name, String value) {
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
