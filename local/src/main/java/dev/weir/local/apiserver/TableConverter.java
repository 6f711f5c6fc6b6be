package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Server-side printing: meta.k8s.io/v1 Tables for kubectl, which asks for them on every human-readable get. Without
 * them kubectl prints only NAME and AGE; with them {@code kubectl get pxr} shows the CRD's additionalPrinterColumns
 * (hosts, Programmed, replicas) and built-in kinds show their usual columns (a useful subset of a real server's).
 */
final class TableConverter {

  private record Column(String name, String type, String description, int priority, Function<JsonNode, Object> cell) {}

  private static final Column AGE = new Column("Age", "date", "time since creation", 0,
      o -> o.path("metadata").path("creationTimestamp").asText(null));

  private static final Map<String, List<Column>> BUILTIN = Map.ofEntries(
      Map.entry("Namespace", List.of(text("Status", o -> o.path("status").path("phase").asText(null)), AGE)),
      Map.entry("Service", List.of(
          text("Type", o -> o.path("spec").path("type").asText("ClusterIP")),
          text("Cluster-IP", o -> o.path("spec").path("clusterIP").asText("<none>")),
          text("External-IP", o -> join(o.path("status").path("loadBalancer").path("ingress"), "ip", "<none>")),
          text("Port(s)", TableConverter::servicePorts), AGE)),
      Map.entry("Secret", List.of(text("Type", o -> o.path("type").asText("Opaque")),
          new Column("Data", "integer", "number of data keys", 0,
              o -> o.path("data").size() + o.path("stringData").size()), AGE)),
      Map.entry("ConfigMap", List.of(new Column("Data", "integer", "number of data keys", 0,
          o -> o.path("data").size() + o.path("binaryData").size()), AGE)),
      Map.entry("Ingress", List.of(
          text("Class", o -> o.path("spec").path("ingressClassName").asText("<none>")),
          text("Hosts", o -> {
            List<String> hosts = new ArrayList<>();
            o.path("spec").path("rules").forEach(r -> hosts.add(r.path("host").asText("*")));
            return hosts.isEmpty() ? "*" : String.join(",", hosts);
          }),
          text("Address", o -> join(o.path("status").path("loadBalancer").path("ingress"), "ip", "")),
          text("Ports", o -> o.path("spec").path("tls").isEmpty() ? "80" : "80, 443"), AGE)),
      Map.entry("IngressClass", List.of(
          text("Controller", o -> o.path("spec").path("controller").asText("<none>")),
          text("Parameters", o -> o.path("spec").has("parameters") ? o.path("spec").path("parameters").toString()
              : "<none>"), AGE)),
      Map.entry("EndpointSlice", List.of(
          text("AddressType", o -> o.path("addressType").asText(null)),
          text("Ports", o -> join(o.path("ports"), "port", "<unset>")),
          text("Endpoints", TableConverter::sliceEndpoints), AGE)),
      Map.entry("Endpoints", List.of(text("Endpoints", o -> {
        List<String> endpoints = new ArrayList<>();
        o.path("subsets").forEach(s -> s.path("addresses").forEach(a -> s.path("ports").forEach(
            p -> endpoints.add(a.path("ip").asText() + ":" + p.path("port").asText()))));
        return endpoints.isEmpty() ? "<none>" : String.join(",", endpoints);
      }), AGE)),
      Map.entry("Lease", List.of(text("Holder", o -> o.path("spec").path("holderIdentity").asText("")), AGE)),
      Map.entry("Pod", List.of(text("Status", o -> o.path("status").path("phase").asText("Pending")), AGE)),
      Map.entry("Event", List.of(
          text("Type", o -> o.path("type").asText("")),
          text("Reason", o -> o.path("reason").asText("")),
          text("Object", o -> {
            JsonNode ref = o.has("regarding") ? o.path("regarding") : o.path("involvedObject");
            return ref.path("kind").asText("").toLowerCase() + "/" + ref.path("name").asText("");
          }),
          text("Message", o -> o.has("note") ? o.path("note").asText("") : o.path("message").asText("")), AGE)),
      // A real server prints the timestamp itself here, not an age.
      Map.entry("CustomResourceDefinition", List.of(text("Created At",
          o -> o.path("metadata").path("creationTimestamp").asText(null)))));

  private final ObjectMapper json;

  TableConverter(ObjectMapper json) {
    this.json = json;
  }

  /** Whether an Accept header asks for a Table (kubectl: application/json;as=Table;v=v1;g=meta.k8s.io, ...). */
  static boolean wanted(String accept) {
    return accept != null && accept.contains("as=Table");
  }

  /** A Table for a List (or a single object, which becomes one row). */
  ObjectNode table(JsonNode listOrObject, ResourceType type, JsonNode crdVersion) {
    List<Column> columns = columns(type, crdVersion);
    ObjectNode table = json.createObjectNode();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    String resourceVersion = listOrObject.path("metadata").path("resourceVersion").asText("");
    if (!resourceVersion.isEmpty()) {
      metadata.put("resourceVersion", resourceVersion);
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    ObjectNode name = definitions.addObject();
    name.put("name", "Name");
    name.put("type", "string");
    name.put("format", "name");
    name.put("description", "Name must be unique within a namespace.");
    name.put("priority", 0);
    for (Column column : columns) {
      ObjectNode definition = definitions.addObject();
      definition.put("name", column.name());
      definition.put("type", column.type().equals("date") ? "string" : column.type());
      definition.put("format", column.type().equals("date") ? "date" : "");
      definition.put("description", column.description());
      definition.put("priority", column.priority());
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> objects = new ArrayList<>();
    if (listOrObject.has("items")) {
      listOrObject.path("items").forEach(objects::add);
    } else {
      objects.add(listOrObject);
    }
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(object.path("metadata").path("name").asText());
      for (Column column : columns) {
        Object value = null;
        try {
          value = column.cell().apply(object);
        } catch (RuntimeException e) {
          // a malformed object prints as <none> rather than failing the whole listing
        }
        if (value != null && column.type().equals("date")) {
          value = age(value.toString());
        }
        cells.add(json.valueToTree(value));
      }
      ObjectNode partial = row.putObject("object");
      partial.put("kind", "PartialObjectMetadata");
      partial.put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", object.path("metadata").deepCopy());
    }
    return table;
  }

  private List<Column> columns(ResourceType type, JsonNode crdVersion) {
    if (crdVersion == null) {
      return BUILTIN.getOrDefault(type.kind(), List.of(AGE));
    }
    JsonNode printerColumns = crdVersion.path("additionalPrinterColumns");
    if (printerColumns.isEmpty()) {
      return List.of(AGE);
    }
    List<Column> columns = new ArrayList<>();
    for (JsonNode column : printerColumns) {
      String columnType = column.path("type").asText("string");
      SimpleJsonPath path;
      try {
        path = SimpleJsonPath.compile(column.path("jsonPath").asText());
      } catch (IllegalArgumentException e) {
        path = null;
      }
      SimpleJsonPath compiled = path;
      columns.add(new Column(column.path("name").asText(), columnType, column.path("description").asText(""),
          column.path("priority").asInt(0), o -> compiled == null ? null : crdCell(compiled.find(o), columnType)));
    }
    return columns;
  }

  /** As the CRD table convertor: the first result; strings print lists and maps as JSON. */
  private static Object crdCell(List<JsonNode> results, String type) {
    if (results.isEmpty()) {
      return null;
    }
    JsonNode value = results.get(0);
    return switch (type) {
      case "integer" -> value.canConvertToLong() ? value.asLong() : null;
      case "number" -> value.isNumber() ? value.asDouble() : null;
      case "boolean" -> value.isBoolean() ? value.asBoolean() : null;
      case "date" -> value.asText(null);
      default -> value.isContainerNode() ? value.toString() : value.asText();
    };
  }

  private static Column text(String name, Function<JsonNode, Object> cell) {
    return new Column(name, "string", name, 0, cell);
  }

  private static String join(JsonNode array, String field, String none) {
    String joined = java.util.stream.StreamSupport.stream(array.spliterator(), false)
        .map(e -> e.path(field).asText(""))
        .filter(s -> !s.isEmpty())
        .collect(Collectors.joining(","));
    return joined.isEmpty() ? none : joined;
  }

  private static Object servicePorts(JsonNode service) {
    List<String> ports = new ArrayList<>();
    service.path("spec").path("ports").forEach(p -> ports.add(p.path("port").asText()
        + (p.has("nodePort") ? ":" + p.path("nodePort").asText() : "") + "/" + p.path("protocol").asText("TCP")));
    return ports.isEmpty() ? "<none>" : String.join(",", ports);
  }

  private static Object sliceEndpoints(JsonNode slice) {
    List<String> addresses = new ArrayList<>();
    slice.path("endpoints").forEach(e -> e.path("addresses").forEach(a -> addresses.add(a.asText())));
    if (addresses.isEmpty()) {
      return "<unset>";
    }
    String shown = String.join(",", addresses.subList(0, Math.min(3, addresses.size())));
    return addresses.size() > 3 ? shown + " + " + (addresses.size() - 3) + " more..." : shown;
  }

  /** kubectl's human-readable age (the apimachinery HumanDuration rules). */
  static String age(String timestamp) {
    Instant created;
    try {
      created = Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
    Duration d = Duration.between(created, Instant.now());
    if (d.isNegative()) {
      return d.getSeconds() < -1 ? "<invalid>" : "0s";
    }
    long seconds = d.getSeconds();
    long minutes = d.toMinutes();
    long hours = d.toHours();
    if (seconds < 120) {
      return seconds + "s";
    } else if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 180) {
      return minutes + "m";
    } else if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
