package dev.weir.controller.translate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.weir.controller.index.ResourceIndex;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.SnapshotJson;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads multi-document YAML into a {@link ResourceIndex} and writes a {@link TranslationResult} as YAML. */
final class Fixtures {
  static final Path DIR = Path.of("src", "test", "resources", "translate");

  private static final YAMLMapper READER = new YAMLMapper();
  private static final ObjectMapper WRITER =
      new ObjectMapper(YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .build())
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private Fixtures() {}

  static ResourceIndex load(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The instant fixtures are translated at. Real time: certificates are made at test time (nothing is
   * committed), valid from an hour ago; the expired one has fixed dates, so its message is stable.
   */
  static final Instant NOW = Instant.now();

  static TranslationResult translate(ResourceIndex index) {
    return Translator.translate(index, TranslateOptions.defaults(), NOW);
  }

  static ResourceIndex parse(String yaml) {
    yaml = FixturePki.expand(yaml);
    List<ProxyRoute> routes = new ArrayList<>();
    List<Ingress> ingresses = new ArrayList<>();
    List<IngressClass> classes = new ArrayList<>();
    List<Service> services = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    List<Secret> secrets = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = READER.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
          continue;
        }
        String kind = doc.path("kind").asText();
        switch (kind) {
          case "ProxyRoute" -> routes.add(READER.treeToValue(doc, ProxyRoute.class));
          case "Ingress" -> ingresses.add(READER.treeToValue(doc, Ingress.class));
          case "IngressClass" -> classes.add(READER.treeToValue(doc, IngressClass.class));
          case "Service" -> services.add(READER.treeToValue(doc, Service.class));
          case "EndpointSlice" -> slices.add(READER.treeToValue(doc, EndpointSlice.class));
          case "Secret" -> secrets.add(READER.treeToValue(doc, Secret.class));
          default -> throw new IllegalArgumentException("fixture has an unexpected kind: " + kind);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ResourceIndex(routes, ingresses, classes, services, slices, secrets);
  }

  /** What an out file holds: the snapshot, then every verdict in ObjectRef order. */
  record Golden(Snapshot snapshot, List<VerdictView> verdicts) {}

  record VerdictView(String object, long generation, List<ConditionVerdict> conditions, List<String> routes) {}

  static String render(TranslationResult result) {
    List<VerdictView> verdicts = result.verdicts().values().stream()
        .sorted((a, b) -> a.ref().compareTo(b.ref()))
        .map(v -> new VerdictView(v.ref().toString(), v.generation(), v.conditions(), v.routeNames()))
        .toList();
    try {
      JsonNode tree = FixturePki.collapse(WRITER.valueToTree(new Golden(result.snapshot(), verdicts)));
      // The real hash covers PEM made at test time, different in every run: the out file gets the hash
      // of the snapshot as written there (placeholders for PEM), which is stable and still changes with the content.
      Snapshot written = WRITER.treeToValue(tree.get("snapshot"), Snapshot.class);
      ((ObjectNode) tree.get("snapshot")).put("hash", SnapshotJson.contentHash(written));
      return WRITER.writeValueAsString(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
