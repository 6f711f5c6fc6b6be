package dev.weir.snapshot;

/**
 * Base of the Jackson value filters ({@code @JsonInclude(value = CUSTOM, valueFilter = ...)}) that leave
 * a component out of the JSON when it holds its default: a snapshot can hold 10,000 routes, and most
 * of them have default policies. Jackson instantiates the filter and calls {@code equals(value)};
 * true means "leave it out". Reading the JSON back gives the default again (the records' compact
 * constructors turn null into it).
 */
public abstract class OmitWhenDefault {
  private final Object defaultValue;

  protected OmitWhenDefault(Object defaultValue) {
    this.defaultValue = defaultValue;
  }

  @Override
  public boolean equals(Object value) {
    return value == null || defaultValue.equals(value);
  }

  @Override
  public int hashCode() {
    return 0;
  }
}
