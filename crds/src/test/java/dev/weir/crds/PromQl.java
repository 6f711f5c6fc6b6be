package dev.weir.crds;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
* Just enough PromQL to find which series and labels an expression names, so that the dashboard and the alerts can be
* checked against the metrics Weir exports. Not a parser: it drops strings, ranges and grouping lists, then reads
* identifiers. It catches typos in metric, label and function names, not every syntax error.
*/
final class PromQl {

  /** The series Weir exports, each with its own labels (the target labels Prometheus adds come on top). */
  static final Map<String, Set<String>> WEIR_SERIES = Map.ofEntries(
      Map.entry("weir_dataplane_requests_total", Set.of("route", "status_class")),
      Map.entry("weir_dataplane_request_duration_seconds_bucket", Set.of("route", "status_class", "le")),
      Map.entry("weir_dataplane_connections_active", Set.of()),
      Map.entry("weir_dataplane_connections_total", Set.of("listener")),
      Map.entry("weir_dataplane_request_bytes_total", Set.of("route")),
      Map.entry("weir_dataplane_response_bytes_total", Set.of("route")),
      Map.entry("weir_dataplane_upstream_errors_total", Set.of("route", "kind")),
      Map.entry("weir_dataplane_upstream_connect_duration_seconds_bucket", Set.of("cluster", "le")),
      Map.entry("weir_dataplane_tls_handshakes_total", Set.of("result")),
      Map.entry("weir_dataplane_snapshot_version", Set.of()),
      Map.entry("weir_dataplane_snapshot_applies_total", Set.of()),
      Map.entry("weir_dataplane_snapshot_nacks_total", Set.of()),
      Map.entry("weir_dataplane_snapshot_apply_duration_seconds_bucket", Set.of("le")),
      Map.entry("weir_dataplane_draining", Set.of()),
      Map.entry("weir_dataplane_access_log_dropped_total", Set.of()),
      Map.entry("weir_dataplane_upstream_ejections_total", Set.of("cluster")),
      Map.entry("weir_dataplane_upstream_ejected", Set.of("cluster")),
      Map.entry("weir_dataplane_upstream_unhealthy", Set.of("cluster")),
      Map.entry("weir_dataplane_upstream_health_checks_total", Set.of("cluster", "result")),
      Map.entry("weir_dataplane_upstream_retries_total", Set.of("route", "reason")),
      Map.entry("weir_dataplane_retry_budget_exhausted_total", Set.of("cluster")),
      Map.entry("weir_dataplane_circuit_breaker_trips_total", Set.of("cluster", "kind")),
      Map.entry("weir_dataplane_mirror_requests_total", Set.of("cluster", "result")),
      Map.entry("weir_dataplane_cache_requests_total", Set.of("route", "result")),
      Map.entry("weir_dataplane_cache_bytes", Set.of()),
      Map.entry("weir_dataplane_cache_max_bytes", Set.of()),
      Map.entry("weir_dataplane_cache_entries", Set.of()),
      Map.entry("weir_dataplane_cache_evictions_total", Set.of()),
      Map.entry("weir_dataplane_cache_collapsed_total", Set.of()),
      Map.entry("weir_dataplane_compressed_responses_total", Set.of("encoding")),
      Map.entry("weir_controller_reconciles_total", Set.of("kind", "result")),
      Map.entry("weir_controller_reconcile_duration_seconds_bucket", Set.of("kind", "le")),
      Map.entry("weir_controller_snapshot_build_duration_seconds_bucket", Set.of("le")),
      Map.entry("weir_controller_snapshot_bytes", Set.of()),
      Map.entry("weir_controller_snapshot_version", Set.of()),
      Map.entry("weir_controller_connected_replicas", Set.of()),
      Map.entry("weir_controller_replicas_current", Set.of()),
      Map.entry("weir_controller_replica_snapshot_version", Set.of("replica")),
      Map.entry("weir_controller_status_writes_total", Set.of("kind", "result")),
      Map.entry("weir_controller_leader", Set.of()));

  /** Labels Prometheus adds to every series scraped through a PodMonitor. */
  static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "container", "job", "instance", "endpoint");

  static final Set<String> FUNCTIONS = Set.of(
      "sum", "count", "max", "min", "avg", "topk", "bottomk", "quantile", "stddev", "count_values", "group",
      "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "histogram_quantile",
      "absent", "absent_over_time", "vector", "scalar", "clamp_min", "clamp_max", "max_over_time",
      "min_over_time", "avg_over_time", "sum_over_time", "last_over_time", "time", "timestamp", "label_replace",
      "sort", "sort_desc", "round", "ceil", "floor", "abs");

  static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

  private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern SELECTOR = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)?\\s*\\{([^}]*)\\}");
  private static final Pattern MATCHER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_:])\\d[A-Za-z0-9_.]*");
  private static final Pattern IDENTIFIER = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)(\\s*\\()?");
  private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)\\s*$");

  private PromQl() {}

  /** Metric name to the label names its selectors match on, for every series the expression reads. */
  record Names(Map<String, Set<String>> series, Set<String> groupingLabels, Set<String> functions) {}

  static Names names(String expr) {
    Map<String, Set<String>> series = new TreeMap<>();
    Set<String> grouping = new TreeSet<>();
    Set<String> functions = new TreeSet<>();
    Matcher lv = LABEL_VALUES.matcher(expr);
    if (lv.matches()) { // a Grafana variable query: label_values(selector, label)
      Names inner = names(lv.group(1));
      inner.series().values().forEach(labels -> labels.add(lv.group(2)));
      return inner;
    }
    String s = GRAFANA_VARIABLE.matcher(expr).replaceAll("");
    s = STRING.matcher(s).replaceAll("\"\"");
    s = RANGE.matcher(s).replaceAll(" ");
    StringBuilder out = new StringBuilder();
    Matcher m = SELECTOR.matcher(s);
    while (m.find()) {
      String metric = m.group(1);
      Set<String> labels = new TreeSet<>();
      Matcher lm = MATCHER.matcher(m.group(2));
      while (lm.find()) {
        labels.add(lm.group(1));
      }
      if (metric != null && !FUNCTIONS.contains(metric) && !KEYWORDS.contains(metric)) {
        series.computeIfAbsent(metric, k -> new TreeSet<>()).addAll(labels);
      } else {
        labels.remove("__name__");
        if (!labels.isEmpty()) {
          series.computeIfAbsent("{" + m.group(2) + "}", k -> new TreeSet<>()).addAll(labels);
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement((metric == null ? "" : metric) + " "));
    }
    m.appendTail(out);
    s = out.toString();
    out = new StringBuilder();
    Matcher g = GROUPING.matcher(s);
    while (g.find()) {
      for (String label : g.group(2).split(",")) {
        if (!label.isBlank()) {
          grouping.add(label.strip());
        }
      }
      g.appendReplacement(out, " ");
    }
    g.appendTail(out);
    s = NUMBER.matcher(out.toString()).replaceAll(" ");
    Matcher id = IDENTIFIER.matcher(s);
    while (id.find()) {
      String name = id.group(1);
      if (KEYWORDS.contains(name)) {
        continue;
      }
      if (id.group(2) != null) {
        functions.add(name);
      } else {
        series.computeIfAbsent(name, k -> new TreeSet<>());
      }
    }
    return new Names(series, grouping, functions);
  }

  /** Every problem with the names in {@code expr}: unknown series, labels a series does not have, unknown functions. */
  static List<String> problems(String expr) {
    List<String> problems = new ArrayList<>();
    Names n = names(expr);
    Set<String> anyLabel = new TreeSet<>(TARGET_LABELS);
    WEIR_SERIES.values().forEach(anyLabel::addAll);
    for (Map.Entry<String, Set<String>> e : n.series().entrySet()) {
      Set<String> known = WEIR_SERIES.get(e.getKey());
      if (known == null) {
        problems.add("unknown series " + e.getKey());
        continue;
      }
      for (String label : e.getValue()) {
        if (!known.contains(label) && !TARGET_LABELS.contains(label)) {
          problems.add(e.getKey() + " has no label " + label);
        }
      }
    }
    for (String label : n.groupingLabels()) {
      if (!anyLabel.contains(label)) {
        problems.add("no series has the label " + label);
      }
    }
    for (String f : n.functions()) {
      if (!FUNCTIONS.contains(f)) {
        problems.add("unknown function " + f);
      }
    }
    if (n.series().isEmpty()) {
      problems.add("reads no series");
    }
    return problems;
  }
}
