package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Field selectors beyond metadata.name and metadata.namespace, which are all the mock understands: it treats any
 * other term as a label it never finds and answers an empty list. {@code kubectl describe} looks up an object's
 * Events with {@code involvedObject.name=..,involvedObject.kind=..,involvedObject.uid=..}, so without this every
 * describe says "Events: none". Terms the mock handles are passed on; the others filter the list it returns.
 */
record FieldSelector(String forMock, List<Term> filters) {

  record Term(String path, String value, boolean negated) {
    boolean matches(JsonNode object) {
      JsonNode node = object;
      for (String segment : path.split("\\.")) {
        node = node.path(segment);
      }
      String actual = node.isValueNode() ? node.asText() : "";
      return actual.equals(value) != negated;
    }
  }

  static FieldSelector parse(String selector) {
    List<String> passOn = new ArrayList<>();
    List<Term> filters = new ArrayList<>();
    if (selector != null) {
      for (String raw : selector.split(",")) {
        String term = raw.trim();
        if (term.isEmpty()) {
          continue;
        }
        boolean negated = term.contains("!=");
        String[] parts = term.split(negated ? "!=" : "==?", 2);
        String path = parts[0].trim();
        String value = parts.length > 1 ? parts[1].trim() : "";
        if (path.equals("metadata.name") || path.equals("metadata.namespace")) {
          passOn.add(term);
        } else {
          filters.add(new Term(path, value, negated));
        }
      }
    }
    return new FieldSelector(String.join(",", passOn), List.copyOf(filters));
  }

  /** Removes the list items that do not match every filter term (the list is modified in place). */
  void filter(JsonNode list) {
    if (filters.isEmpty() || !list.path("items").isArray()) {
      return;
    }
    ArrayNode items = (ArrayNode) list.get("items");
    for (int i = items.size() - 1; i >= 0; i--) {
      JsonNode item = items.get(i);
      if (!filters.stream().allMatch(t -> t.matches(item))) {
        items.remove(i);
      }
    }
  }
}
