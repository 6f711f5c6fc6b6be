package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of kubectl's JSONPath that CRD printer columns use: {@code .a.b}, {@code [n]}, {@code [*]} and
 * {@code [?(@.field=="value")]}, optionally wrapped in braces and prefixed with $. Enough for Weir's
 * additionalPrinterColumns (e.g. {@code .status.conditions[?(@.type=="Programmed")].status}).
 */
final class SimpleJsonPath {

  private static final Pattern STEP = Pattern.compile(
      "\\.([A-Za-z0-9_\\-]+)|\\[(\\d+)]|\\[\\*]|\\[\\?\\(@\\.([A-Za-z0-9_.\\-]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)]");

  private final List<Matcher> steps;

  private SimpleJsonPath(List<Matcher> steps) {
    this.steps = steps;
  }

  /** @throws IllegalArgumentException for expressions outside the subset */
  static SimpleJsonPath compile(String expression) {
    String path = expression.trim();
    if (path.startsWith("{") && path.endsWith("}")) {
      path = path.substring(1, path.length() - 1).trim();
    }
    if (path.startsWith("$")) {
      path = path.substring(1);
    }
    List<Matcher> steps = new ArrayList<>();
    Matcher matcher = STEP.matcher(path);
    int at = 0;
    while (at < path.length()) {
      if (!matcher.find(at) || matcher.start() != at) {
        throw new IllegalArgumentException("unsupported JSONPath: " + expression);
      }
      steps.add(STEP.matcher(matcher.group()));
      steps.get(steps.size() - 1).matches();
      at = matcher.end();
    }
    return new SimpleJsonPath(steps);
  }

  /** Every value the path reaches, in document order (empty when it reaches nothing). */
  List<JsonNode> find(JsonNode root) {
    List<JsonNode> current = List.of(root);
    for (Matcher step : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        if (step.group(1) != null) {
          JsonNode child = node.get(step.group(1));
          if (child != null && !child.isNull()) {
            next.add(child);
          }
        } else if (step.group(2) != null) {
          JsonNode child = node.isArray() ? node.get(Integer.parseInt(step.group(2))) : null;
          if (child != null) {
            next.add(child);
          }
        } else if (step.group(3) != null) {
          if (node.isArray()) {
            for (JsonNode element : node) {
              JsonNode field = element;
              for (String name : step.group(3).split("\\.")) {
                field = field.path(name);
              }
              if (field.isValueNode() && field.asText().equals(step.group(4))) {
                next.add(element);
              }
            }
          }
        } else if (node.isArray()) {
          node.forEach(next::add);
        }
      }
      current = next;
    }
    return current;
  }
}
