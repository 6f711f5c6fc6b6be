package dev.weir.dataplane.cache;

import java.util.ArrayList;
import java.util.List;

/**
 * Entity tags (RFC 9110 §8.8.3): {@code [W/]"opaque"}, and lists of them as If-None-Match carries.
 * A comma may appear inside the quotes, so lists are scanned, not split. Unquoted tags, which some
 * origins send, are accepted as their bare text rather than dropped.
 */
final class EntityTags {

  /** One tag: {@code opaque} is the text between the quotes. */
  record Tag(boolean weak, String opaque) {}

  private EntityTags() {}

  /** True when the field is {@code *} (any current representation). */
  static boolean isAny(List<String> fieldLines) {
    for (String line : fieldLines) {
      if (line.trim().equals("*")) {
        return true;
      }
    }
    return false;
  }

  /** Every tag of every field line. */
  static List<Tag> parseList(List<String> fieldLines) {
    List<Tag> tags = new ArrayList<>();
    for (String line : fieldLines) {
      int i = 0;
      int n = line.length();
      while (i < n) {
        char c = line.charAt(i);
        if (c == ',' || c == ' ' || c == '\t') {
          i++;
          continue;
        }
        boolean weak = false;
        if (line.startsWith("W/", i)) {
          weak = true;
          i += 2;
        }
        if (i < n && line.charAt(i) == '"') {
          int close = line.indexOf('"', i + 1);
          if (close < 0) {
            break; // unterminated: ignore the rest
          }
          tags.add(new Tag(weak, line.substring(i + 1, close)));
          i = close + 1;
        } else {
          int end = line.indexOf(',', i);
          end = end < 0 ? n : end;
          String bare = line.substring(i, end).trim();
          if (!bare.isEmpty()) {
            tags.add(new Tag(weak, bare));
          }
          i = end;
        }
      }
    }
    return tags;
  }

  /** One ETag field value, or null if it holds none. */
  static Tag parse(String etag) {
    if (etag == null) {
      return null;
    }
    List<Tag> tags = parseList(List.of(etag));
    return tags.isEmpty() ? null : tags.get(0);
  }

  /** Weak comparison (§8.8.3.2): the opaque tags are equal, weak or not. */
  static boolean weakMatch(Tag a, Tag b) {
    return a != null && b != null && a.opaque().equals(b.opaque());
  }

  /** Strong comparison: both strong and equal. */
  static boolean strongMatch(Tag a, Tag b) {
    return a != null && b != null && !a.weak() && !b.weak() && a.opaque().equals(b.opaque());
  }
}
