package dev.weir.crds;

import static dev.weir.crds.DeployManifestsTest.CONTROLLER;
import static dev.weir.crds.DeployManifestsTest.DATAPLANE;
import static dev.weir.crds.DeployManifestsTest.NS;
import static dev.weir.crds.DeployManifestsTest.all;
import static dev.weir.crds.DeployManifestsTest.container;
import static dev.weir.crds.DeployManifestsTest.containerPort;
import static dev.weir.crds.DeployManifestsTest.deployDir;
import static dev.weir.crds.DeployManifestsTest.matches;
import static dev.weir.crds.DeployManifestsTest.one;
import static dev.weir.crds.DeployManifestsTest.podLabels;
import static dev.weir.crds.DeployManifestsTest.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.crds.DeployManifestsTest.Variant;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
* components/monitoring and components/rps-autoscaling: the PodMonitors scrape what the pods serve, the alerts and
* the Grafana dashboard read only series Weir exports (a typo in a metric or label name fails here, not on a
* dashboard at 3am), and the dashboard ConfigMap is the file.
*/
class DeployMonitoringTest {

  static final Path DASHBOARD = Path.of("grafana/weir-dashboard.json");
  static final Set<String> REQUIRED_ALERTS = Set.of("WeirNoReadyDataplanes", "WeirSnapshotNacks", "WeirHigh5xxRatio",
      "WeirControllerNoLeader", "WeirReplicasNotAtCurrentVersion");

  @SuppressWarnings("unchecked")
  static Map<String, Object> spec(GenericKubernetesResource r) {
    Object spec = r.getAdditionalProperties().get("spec");
    assertTrue(spec instanceof Map, r.getKind() + " " + r.getMetadata().getName() + " has no spec");
    return (Map<String, Object>) spec;
  }

  static List<GenericKubernetesResource> generic(List<HasMetadata> objects, String kind) {
    return objects.stream().filter(o -> o instanceof GenericKubernetesResource && kind.equals(o.getKind()))
        .map(GenericKubernetesResource.class::cast).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.weir.crds.DeployManifestsTest#variants")
  void monitoringObjectsOnlyWithTheComponent(Variant v) {
    List<HasMetadata> objects = render(v);
    assertEquals(v.monitoring(), !generic(objects, "PodMonitor").isEmpty(), "PodMonitors");
    assertEquals(v.monitoring(), !generic(objects, "PrometheusRule").isEmpty(), "PrometheusRule");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.weir.crds.DeployManifestsTest#monitoringVariants")
  @SuppressWarnings("unchecked")
  void podMonitorsScrapeEachWorkloadsAdminPort(Variant v) {
    List<HasMetadata> objects = render(v);
    List<GenericKubernetesResource> monitors = generic(objects, "PodMonitor");
    assertEquals(2, monitors.size());
    for (String[] dc : new String[][] {{DATAPLANE, "dataplane"}, {CONTROLLER, "controller"}}) {
      Deployment d = one(objects, Deployment.class, dc[0]);
      List<GenericKubernetesResource> selecting = monitors.stream()
          .filter(m -> matches(Serialization.unmarshal(Serialization.asJson(spec(m).get("selector")),
              LabelSelector.class), podLabels(d))).toList();
      assertEquals(1, selecting.size(), "one PodMonitor selects " + dc[0]);
      GenericKubernetesResource m = selecting.get(0);
      assertEquals("monitoring.coreos.com/v1", m.getApiVersion());
      assertEquals(NS, m.getMetadata().getNamespace(), "a PodMonitor selects pods in its own namespace");
      Map<String, Object> spec = spec(m);
      assertTrue(Set.of("selector", "podMetricsEndpoints", "namespaceSelector", "jobLabel", "podTargetLabels")
          .containsAll(spec.keySet()), "unknown PodMonitor fields " + spec.keySet());
      List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("podMetricsEndpoints");
      assertEquals(1, endpoints.size());
      Map<String, Object> ep = endpoints.get(0);
      assertTrue(Set.of("port", "path", "interval", "scrapeTimeout", "relabelings", "metricRelabelings")
          .containsAll(ep.keySet()), "unknown podMetricsEndpoints fields " + ep.keySet());
      assertEquals("admin", ep.get("port"));
      containerPort(container(d, dc[1]), "admin");
      assertEquals("/metrics", ep.get("path"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.weir.crds.DeployManifestsTest#monitoringVariants")
  @SuppressWarnings("unchecked")
  void alertsReadOnlyWeirSeries(Variant v) {
    GenericKubernetesResource rule = generic(render(v), "PrometheusRule").get(0);
    assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());
    assertEquals(NS, rule.getMetadata().getNamespace());
    Set<String> alerts = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) spec(rule).get("groups")) {
      assertTrue(Set.of("name", "interval", "rules").containsAll(group.keySet()), "group fields " + group.keySet());
      for (Map<String, Object> r : (List<Map<String, Object>>) group.get("rules")) {
        String name = (String) r.get("alert");
        assertNotNull(name, "recording rules are not expected here: " + r);
        assertTrue(alerts.add(name), "duplicate alert " + name);
        assertTrue(Set.of("alert", "expr", "for", "labels", "annotations").containsAll(r.keySet()),
            name + " fields " + r.keySet());
        if (r.get("for") != null) {
          DeployManifestsTest.duration(r.get("for").toString());
        }
        Map<String, Object> labels = (Map<String, Object>) r.get("labels");
        assertTrue(Set.of("critical", "warning", "info").contains(labels.get("severity")), name + " severity");
        Map<String, Object> annotations = (Map<String, Object>) r.get("annotations");
        assertTrue(annotations.get("summary") != null && annotations.get("description") != null, name + " text");
        PromQl.problems(r.get("expr").toString()).forEach(p -> problems.add(name + ": " + p));
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(alerts.containsAll(REQUIRED_ALERTS), "missing alerts: " + REQUIRED_ALERTS + " vs " + alerts);
  }

  /** The checker itself: it must see a typo, or the two tests above prove nothing. */
  @Test
  void promQlCheckerFindsTypos() {
    assertEquals(List.of(), PromQl.problems(
        "sum by (route, le) (rate(weir_dataplane_request_duration_seconds_bucket{namespace=\"$namespace\"}[5m]))"));
    assertEquals(List.of(), PromQl.problems("label_values(weir_controller_leader, namespace)"));
    assertEquals(List.of("unknown series weir_dataplane_request_total"),
        PromQl.problems("sum(rate(weir_dataplane_request_total[$__rate_interval]))"));
    assertEquals(List.of("weir_dataplane_requests_total has no label status"),
        PromQl.problems("rate(weir_dataplane_requests_total{status=\"5xx\"}[5m])"));
    assertEquals(List.of("no series has the label routes"),
        PromQl.problems("sum by (routes) (rate(weir_dataplane_requests_total[5m]))"));
    assertEquals(List.of("unknown function rat"), PromQl.problems("sum(rat(weir_dataplane_requests_total[5m]))"));
    assertEquals(List.of("unknown series up"),
        PromQl.problems("up{job=\"x\"} == 0 and on (pod) weir_dataplane_draining == 1"));
  }

  // ---------------------------------------------------------------------------------------------------------
  // the Grafana dashboard (a plain file: no kubectl needed)

  static JsonNode dashboard() throws IOException {
    return new ObjectMapper().readTree(Files.readString(deployDir().resolve(DASHBOARD)));
  }

  static void panels(JsonNode panels, List<JsonNode> out) {
    if (panels != null) {
      for (JsonNode p : panels) {
        out.add(p);
        panels(p.get("panels"), out);
      }
    }
  }

  @Test
  void dashboardReadsEveryWeirSeriesAndNothingElse() throws IOException {
    JsonNode d = dashboard();
    int schema = d.path("schemaVersion").asInt();
    assertTrue(schema >= 36 && schema <= 41, "schemaVersion " + schema);
    assertFalse(d.path("uid").asText().isBlank(), "a fixed uid: links and provisioning rely on it");
    assertFalse(d.has("__inputs"), "no import-time inputs: the sidecar loads the file as it is");

    Map<String, JsonNode> vars = new java.util.HashMap<>();
    d.path("templating").path("list").forEach(var -> vars.put(var.path("name").asText(), var));
    assertEquals("datasource", vars.get("DS_PROMETHEUS").path("type").asText(), "DS_PROMETHEUS variable");
    assertEquals("prometheus", vars.get("DS_PROMETHEUS").path("query").asText());
    JsonNode ns = vars.get("namespace");
    assertNotNull(ns, "namespace variable");
    assertEquals("query", ns.path("type").asText());
    assertEquals("${DS_PROMETHEUS}", ns.path("datasource").path("uid").asText());

    List<String> problems = new ArrayList<>();
    List<String> exprs = new ArrayList<>();
    String nsQuery = ns.path("query").isObject() ? ns.path("query").path("query").asText() : ns.path("query").asText();
    PromQl.problems(nsQuery).forEach(p -> problems.add("variable namespace: " + p));

    List<JsonNode> all = new ArrayList<>();
    panels(d.get("panels"), all);
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : all) {
      String title = p.path("title").asText();
      assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id " + p.path("id") + " (" + title + ")");
      assertTrue(p.has("gridPos"), title + " gridPos");
      if ("row".equals(p.path("type").asText())) {
        continue;
      }
      assertEquals("${DS_PROMETHEUS}", p.path("datasource").path("uid").asText(), title + " datasource");
      assertTrue(p.path("targets").size() > 0, title + " has no queries");
      for (JsonNode t : p.path("targets")) {
        String expr = t.path("expr").asText();
        assertFalse(expr.isBlank(), title + " " + t.path("refId") + " has no expr");
        assertEquals("${DS_PROMETHEUS}", t.path("datasource").path("uid").asText(), title + " target datasource");
        assertTrue(expr.contains("namespace=\"$namespace\""), title + ": every selector filters by $namespace");
        PromQl.problems(expr).forEach(problem -> problems.add(title + ": " + problem));
        exprs.add(expr);
      }
    }
    assertEquals(List.of(), problems);

    Set<String> used = new TreeSet<>();
    exprs.forEach(e -> used.addAll(PromQl.names(e).series().keySet()));
    Set<String> unused = new TreeSet<>(PromQl.WEIR_SERIES.keySet());
    unused.removeAll(used);
    assertEquals(Set.of(), unused, "series the dashboard does not show");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.weir.crds.DeployManifestsTest#monitoringVariants")
  void dashboardConfigMapIsTheFile(Variant v) throws IOException {
    ConfigMap cm = one(render(v), ConfigMap.class, "weir-dashboard");
    assertEquals(NS, cm.getMetadata().getNamespace());
    assertEquals("1", cm.getMetadata().getLabels().get("grafana_dashboard"), "the Grafana sidecar's label");
    String file = Files.readString(deployDir().resolve(DASHBOARD));
    assertEquals(Map.of("weir-dashboard.json", file), cm.getData());
    // `kubectl apply` (client-side) copies the object into an annotation, and annotations are capped at 256 KiB
    assertTrue(file.length() < 200_000, "dashboard too large for kubectl apply: " + file.length() + " chars");
  }

  // ---------------------------------------------------------------------------------------------------------
  // components/rps-autoscaling: the prometheus-adapter rule it documents

  @Test
  @SuppressWarnings("unchecked")
  void prometheusAdapterRuleServesTheHpaMetric() throws IOException {
    Path dir = deployDir().resolve("components/rps-autoscaling");
    Map<String, Object> values = Serialization.unmarshal(
        Files.readString(dir.resolve("prometheus-adapter-rules.yaml")), Map.class);
    List<Map<String, Object>> rules = (List<Map<String, Object>>) ((Map<String, Object>) values.get("rules")).get("custom");
    assertEquals(1, rules.size());
    Map<String, Object> rule = rules.get(0);
    assertEquals(List.of(), PromQl.problems(rule.get("seriesQuery").toString()), "seriesQuery");
    String metricsQuery = rule.get("metricsQuery").toString();
    assertTrue(metricsQuery.contains("<<.Series>>") && metricsQuery.contains("<<.LabelMatchers>>")
        && metricsQuery.contains("<<.GroupBy>>"), metricsQuery);
    Map<String, Object> name = (Map<String, Object>) rule.get("name");
    List<Map<String, Object>> patch = Serialization.unmarshal(Files.readString(dir.resolve("hpa.yaml")), List.class);
    Map<String, Object> pods = (Map<String, Object>) ((Map<String, Object>) patch.get(0).get("value")).get("pods");
    assertEquals(((Map<String, Object>) pods.get("metric")).get("name"), name.get("as"),
        "the adapter serves the metric the HPA asks for");
    Map<String, Object> overrides = (Map<String, Object>) ((Map<String, Object>) rule.get("resources")).get("overrides");
    assertEquals(Set.of("namespace", "pod"), overrides.keySet(), "a Pods metric needs namespace and pod");
  }
}
