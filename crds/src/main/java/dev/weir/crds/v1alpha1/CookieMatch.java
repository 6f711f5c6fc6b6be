package dev.weir.crds.v1alpha1;

/** The request must carry this cookie with exactly this value, e.g. a canary opt-in cookie. */
public class CookieMatch extends NameValueMatch {
  public CookieMatch() {}

  public CookieMatch(String name, String value) {
    super(name, value);
  }
}
