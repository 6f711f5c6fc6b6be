package dev.weir.crds.v1alpha1;

/** The request must carry this header with exactly this value (name compared case-insensitively). */
public class HeaderMatch extends NameValueMatch {
  public HeaderMatch() {}

  public HeaderMatch(String name, String value) {
    super(name, value);
  }
}
