package dev.weir.controller.pki;

/** {@code namespace/name} of a Secret. */
public record SecretRef(String namespace, String name) {

  /** Parses {@code NS/NAME}; {@code option} names the flag in the error message. */
  public static SecretRef parse(String ref, String option) {
    String[] parts = ref == null ? new String[0] : ref.split("/", -1);
    if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
      throw new IllegalArgumentException(option + " must be NAMESPACE/NAME, got " + ref);
    }
    return new SecretRef(parts[0], parts[1]);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
