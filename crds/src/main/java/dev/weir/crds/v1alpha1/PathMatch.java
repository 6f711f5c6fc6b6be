package dev.weir.crds.v1alpha1;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value = "self.type == 'RegularExpression' || self.value.startsWith('/')",
    message = "path value must start with '/'")
public class PathMatch {
  public enum Type { Exact, PathPrefix, RegularExpression }

  @Default("PathPrefix")
  private Type type = Type.PathPrefix;

  @Required
  @Size(min = 1, max = 1024)
  private String value;

  public PathMatch() {}

  public PathMatch(Type type, String value) {
    this.type = type;
    this.value = value;
  }

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }
}
