package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merge patches as a real API server applies them, because the mock's own "merge" (Jackson readerForUpdating)
 * appends to lists and ignores null. Two flavours:
 *
 * <ul>
 *   <li>{@link #merge}: RFC 7386 JSON merge patch. Objects merge recursively, null deletes a key, everything else
 *       (lists included) replaces. Used for merge-patch+json and, as an approximation of server-side apply, for
 *       apply-patch+yaml (an applied configuration holds whole lists, so replacing them is what the user means).
 *   <li>{@link #strategic}: strategic merge patch, as kubectl sends for built-in kinds. Like RFC 7386, plus the
 *       directives kubectl's three-way patches carry: {@code $patch: replace|delete}, {@code $retainKeys},
 *       {@code $setElementOrder/f}, {@code $deleteFromPrimitiveList/f}. Lists with a merge key are merged element by
 *       element; the key comes from the directives themselves ({@code $setElementOrder} names it) or, when a patch
 *       carries none, from a small table of the well-known keyed lists (Service ports, Pod containers, ...). Any
 *       other list is replaced. Without this, a Service re-apply that edits one of two ports would drop the other.
 * </ul>
 * Keys starting with '$' never reach the stored object.
 */
final class MergePatch {

  /** Merge keys of keyed lists, by kind ("*" = any) and dotted field path (list elements add no segment). */
  private static final Map<String, Map<String, String>> KNOWN_MERGE_KEYS = Map.of(
      "*", Map.of("metadata.ownerReferences", "uid", "metadata.finalizers", PrimitiveKey.NAME),
      "Service", Map.of("spec.ports", "port"),
      "Pod", Map.ofEntries(
          Map.entry("spec.containers", "name"),
          Map.entry("spec.initContainers", "name"),
          Map.entry("spec.ephemeralContainers", "name"),
          Map.entry("spec.containers.ports", "containerPort"),
          Map.entry("spec.initContainers.ports", "containerPort"),
          Map.entry("spec.containers.env", "name"),
          Map.entry("spec.initContainers.env", "name"),
          Map.entry("spec.containers.volumeMounts", "mountPath"),
          Map.entry("spec.initContainers.volumeMounts", "mountPath"),
          Map.entry("spec.volumes", "name"),
          Map.entry("spec.imagePullSecrets", "name"),
          Map.entry("status.conditions", "type")));

  private static final String SET_ORDER = "$setElementOrder/";
  private static final String DELETE_PRIMITIVE = "$deleteFromPrimitiveList/";

  private MergePatch() {}

  /** RFC 7386: returns a new document; neither argument is modified. */
  static JsonNode merge(JsonNode target, JsonNode patch) {
    return apply(target, patch, null);
  }

  /** Strategic merge patch (see the class comment); the kind picks known merge keys when directives name none. */
  static JsonNode strategic(JsonNode target, JsonNode patch) {
    String kind = target != null && target.hasNonNull("kind") ? target.get("kind").asText()
        : patch.path("kind").asText("");
    return apply(target, patch, kind);
  }

  private static JsonNode apply(JsonNode target, JsonNode patch, String strategicKind) {
    if (!patch.isObject()) {
      return stripDirectives(patch);
    }
    JsonNode result = mergeObject(target, (ObjectNode) patch, strategicKind, "");
    return result == null ? JsonNodeFactory.instance.objectNode() : result;
  }

  /** Returns null when a strategic {@code $patch: delete} asks for the whole object to go. */
  private static JsonNode mergeObject(JsonNode target, ObjectNode patch, String kind, String path) {
    boolean strategic = kind != null;
    if (strategic) {
      String directive = patch.path("$patch").asText("");
      if (directive.equals("replace")) {
        return stripDirectives(patch);
      }
      if (directive.equals("delete")) {
        return null;
      }
    }
    ObjectNode result = target != null && target.isObject() ? target.deepCopy() : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (name.startsWith("$")) {
        continue;
      }
      String childPath = path.isEmpty() ? name : path + "." + name;
      if (value.isNull()) {
        result.remove(name);
      } else if (value.isObject()) {
        JsonNode merged = mergeObject(result.get(name), (ObjectNode) value, kind, childPath);
        if (merged == null) {
          result.remove(name);
        } else {
          result.set(name, merged);
        }
      } else if (value.isArray() && strategic) {
        result.set(name, mergeList(result.get(name), (ArrayNode) value, patch.get(SET_ORDER + name),
            patch.get(DELETE_PRIMITIVE + name), kind, childPath));
      } else {
        result.set(name, stripDirectives(value));
      }
    }
    if (strategic) {
      applyListOnlyDirectives(result, patch, kind, path);
      JsonNode retainKeys = patch.get("$retainKeys");
      if (retainKeys != null && retainKeys.isArray()) {
        List<String> keep = new ArrayList<>();
        retainKeys.forEach(k -> keep.add(k.asText()));
        result.retain(keep);
      }
    }
    return result;
  }

  /** $setElementOrder / $deleteFromPrimitiveList for lists that the patch orders or prunes without listing. */
  private static void applyListOnlyDirectives(ObjectNode result, ObjectNode patch, String kind, String path) {
    for (Iterator<String> names = patch.fieldNames(); names.hasNext(); ) {
      String directive = names.next();
      String list;
      if (directive.startsWith(SET_ORDER)) {
        list = directive.substring(SET_ORDER.length());
      } else if (directive.startsWith(DELETE_PRIMITIVE)) {
        list = directive.substring(DELETE_PRIMITIVE.length());
      } else {
        continue;
      }
      if (patch.has(list) || !result.path(list).isArray()) {
        continue;
      }
      String childPath = path.isEmpty() ? list : path + "." + list;
      result.set(list, mergeList(result.get(list), null, patch.get(SET_ORDER + list),
          patch.get(DELETE_PRIMITIVE + list), kind, childPath));
    }
  }

  private static JsonNode mergeList(
      JsonNode current, ArrayNode patchList, JsonNode order, JsonNode deletions, String kind, String path) {
    ArrayNode result = current != null && current.isArray() ? current.deepCopy() : JsonNodeFactory.instance.arrayNode();
    String key = mergeKey(patchList, order, deletions, kind, path);
    if (patchList != null) {
      for (JsonNode element : patchList) {
        if (element.isObject() && element.path("$patch").asText("").equals("replace")) {
          ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
          patchList.forEach(e -> {
            if (e != element) {
              replaced.add(stripDirectives(e));
            }
          });
          return replaced;
        }
      }
      if (key == null) {
        return stripDirectives(patchList);
      } else if (key.equals(PrimitiveKey.NAME)) {
        for (JsonNode value : patchList) {
          if (!contains(result, value)) {
            result.add(value.deepCopy());
          }
        }
      } else {
        for (JsonNode element : patchList) {
          if (!element.isObject()) {
            return stripDirectives(patchList);
          }
          JsonNode keyValue = element.get(key);
          int index = indexOf(result, key, keyValue);
          if (element.path("$patch").asText("").equals("delete")) {
            while (index >= 0) {
              result.remove(index);
              index = indexOf(result, key, keyValue);
            }
          } else if (index >= 0) {
            result.set(index, mergeObject(result.get(index), (ObjectNode) element, kind, path));
          } else {
            result.add(mergeObject(null, (ObjectNode) element, kind, path));
          }
        }
      }
    }
    if (deletions != null && deletions.isArray()) {
      for (JsonNode value : deletions) {
        for (int i = result.size() - 1; i >= 0; i--) {
          if (result.get(i).equals(value)) {
            result.remove(i);
          }
        }
      }
    }
    if (order != null && order.isArray()) {
      result = reorder(result, (ArrayNode) order, key);
    }
    return result;
  }

  /** The merge key of a list, or PrimitiveKey.NAME for a merged list of scalars, or null for a replaced list. */
  private static String mergeKey(ArrayNode patchList, JsonNode order, JsonNode deletions, String kind, String path) {
    if (order != null && order.isArray() && !order.isEmpty()) {
      JsonNode first = order.get(0);
      if (first.isObject()) {
        Iterator<String> names = first.fieldNames();
        return names.hasNext() ? names.next() : null;
      }
      return PrimitiveKey.NAME;
    }
    if (deletions != null) {
      return PrimitiveKey.NAME;
    }
    if (patchList != null) {
      for (JsonNode element : patchList) {
        if (element.isObject() && element.has("$patch")) {
          for (Iterator<String> names = element.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.startsWith("$")) {
              return name;
            }
          }
        }
      }
    }
    String known = KNOWN_MERGE_KEYS.getOrDefault(kind, Map.of()).get(path);
    return known != null ? known : KNOWN_MERGE_KEYS.get("*").get(path);
  }

  /** Elements named by the order first, in its order; then the rest, in their existing order. */
  private static ArrayNode reorder(ArrayNode list, ArrayNode order, String key) {
    ArrayNode ordered = JsonNodeFactory.instance.arrayNode();
    List<JsonNode> remaining = new ArrayList<>();
    list.forEach(remaining::add);
    for (JsonNode wanted : order) {
      for (Iterator<JsonNode> it = remaining.iterator(); it.hasNext(); ) {
        JsonNode element = it.next();
        boolean matches = key == null || key.equals(PrimitiveKey.NAME) ? element.equals(wanted)
            : Objects.equals(element.get(key), wanted.get(key));
        if (matches) {
          ordered.add(element);
          it.remove();
          break;
        }
      }
    }
    remaining.forEach(ordered::add);
    return ordered;
  }

  private static int indexOf(ArrayNode list, String key, JsonNode keyValue) {
    for (int i = 0; i < list.size(); i++) {
      if (Objects.equals(list.get(i).get(key), keyValue)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean contains(ArrayNode list, JsonNode value) {
    for (JsonNode element : list) {
      if (element.equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** A deep copy without '$'-prefixed keys: directives must never be stored. */
  static JsonNode stripDirectives(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(f -> {
        if (!f.getKey().startsWith("$")) {
          copy.set(f.getKey(), stripDirectives(f.getValue()));
        }
      });
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(e -> copy.add(stripDirectives(e)));
      return copy;
    }
    return node.deepCopy();
  }

  /** Marker for "this list merges as a set of scalars" (finalizers and the like). */
  private static final class PrimitiveKey {
    static final String NAME = "$primitive";
  }
}
