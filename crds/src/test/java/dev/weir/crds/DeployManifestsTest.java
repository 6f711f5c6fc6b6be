package dev.weir.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
* Renders deploy/base and both overlays with {@code kubectl kustomize} (offline) and checks what an install would
* create. Skipped (JUnit assumption) when kubectl is not installed; fails when kustomize cannot build a
* kustomization. {@code -Dweir.deployDir=/path/to/deploy} points it at another copy of deploy/ (used to check that
* a broken manifest fails it); {@code KUBECTL} (env) or {@code -Dweir.kubectl} picks the binary.
*/
class DeployManifestsTest {

  static final String NS = "weir-system";
  static final String CONTROLLER = "weir-controller";
  static final String DATAPLANE = "weir-dataplane";
  static final String CA_SECRET = "weir-ca";
  static final String DATAPLANE_TLS_SECRET = "weir-dataplane-tls";
  static final String CONTROLLER_IMAGE = "ghcr.io/weir-dev/weir-controller";
  static final String DATAPLANE_IMAGE = "ghcr.io/weir-dev/weir-dataplane";
  static final String PART_OF = "app.kubernetes.io/part-of";
  static final String NAME_LABEL = "app.kubernetes.io/name";
  static final String COMPONENT = "app.kubernetes.io/component";

  /**
  * What each kustomization must render.
  *
  * @param dir the kustomization, under deploy/
  * @param components kustomize Components (under deploy/) added on top of {@code dir}, as a user's own
  *     kustomization would (rendered from a temporary one)
  * @param maxDisruptions the most dataplane pods the PDB may let go at once at any HPA scale (null: only
  *     "at least one stays", i.e. allowed(n) <= n - 1)
  * @param production production hardening: anti-affinity, a controller PDB
  * @param monitoring components/monitoring is in: PodMonitors, PrometheusRule, dashboard ConfigMap
  * @param rps components/rps-autoscaling is in: the HPA also scales on requests per second
  */
  record Variant(String dir, List<String> components, String tag, int controllerReplicas, int hpaMin, int hpaMax,
      String pullPolicy, Integer maxDisruptions, boolean production, boolean monitoring, boolean rps) {
    @Override
    public String toString() {
      return components.isEmpty() ? dir : dir + " + " + String.join(" + ", components);
    }
  }

  static final Variant BASE = new Variant("base", List.of(), "0.1.0", 2, 2, 10, null, null, false, false, false);
  static final Variant DEV =
      new Variant("overlays/dev", List.of(), "dev", 1, 1, 2, "IfNotPresent", null, false, false, false);
  static final Variant PRODUCTION =
      new Variant("overlays/production", List.of(), "0.1.0", 2, 3, 20, null, 1, true, false, false);
  static final Variant MONITORING =
      new Variant("overlays/monitoring", List.of(), "0.1.0", 2, 3, 20, null, 1, true, true, false);
  /** The component is meant for either overlay: dev with monitoring must build too. */
  static final Variant DEV_MONITORING = new Variant("overlays/dev", List.of("components/monitoring"), "dev", 1, 1, 2,
      "IfNotPresent", null, false, true, false);
  static final Variant MONITORING_RPS = new Variant("overlays/monitoring", List.of("components/rps-autoscaling"),
      "0.1.0", 2, 3, 20, null, 1, true, true, true);

  static Stream<Variant> variants() {
    return Stream.of(BASE, DEV, PRODUCTION, MONITORING, DEV_MONITORING, MONITORING_RPS);
  }

  static Stream<Variant> monitoringVariants() {
    return variants().filter(Variant::monitoring);
  }

  /** Kind/name of every object an install creates, nothing more, nothing less. */
  static Set<String> expectedObjects(Variant v) {
    Set<String> expected = new TreeSet<>(BASE_OBJECTS);
    if (v.production()) {
      expected.add("PodDisruptionBudget/weir-controller");
    }
    if (v.monitoring()) {
      expected.addAll(List.of("PodMonitor/weir-dataplane", "PodMonitor/weir-controller", "PrometheusRule/weir",
          "ConfigMap/weir-dashboard"));
    }
    return expected;
  }

  /** The Prometheus Operator's kinds: fabric8 has no model for them, so they render as generic resources. */
  static final Set<String> MONITORING_KINDS = Set.of("PodMonitor", "PrometheusRule");

  static final Set<String> BASE_OBJECTS = new TreeSet<>(List.of(
      "Namespace/weir-system",
      "CustomResourceDefinition/proxyroutes.weir.dev",
      "IngressClass/weir",
      "ServiceAccount/weir-controller",
      "ServiceAccount/weir-dataplane",
      "ClusterRole/weir-controller",
      "ClusterRoleBinding/weir-controller",
      "Role/weir-controller",
      "RoleBinding/weir-controller",
      "Deployment/weir-controller",
      "Service/weir-controller",
      "Deployment/weir-dataplane",
      "Service/weir-dataplane",
      "HorizontalPodAutoscaler/weir-dataplane",
      "PodDisruptionBudget/weir-dataplane",
      "NetworkPolicy/weir-controller",
      "NetworkPolicy/weir-dataplane"));

  static final Set<String> CLUSTER_SCOPED_KINDS = Set.of(
      "Namespace", "CustomResourceDefinition", "IngressClass", "ClusterRole", "ClusterRoleBinding");

  // ---------------------------------------------------------------------------------------------------------
  // rendering

  private static final Map<String, List<HasMetadata>> RENDERED = new ConcurrentHashMap<>();

  static Path deployDir() {
    String override = System.getProperty("weir.deployDir");
    if (override != null && !override.isBlank()) {
      return Path.of(override).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("deploy/base/kustomization.yaml"))) {
        return p.resolve("deploy");
      }
    }
    throw new IllegalStateException("no deploy/base/kustomization.yaml above " + Path.of("").toAbsolutePath());
  }

  static String kubectl() {
    // an explicit choice is final: -Dweir.kubectl=/nonexistent runs the suite as on a machine without kubectl
    for (String c : new String[] {System.getProperty("weir.kubectl"), System.getenv("KUBECTL")}) {
      if (c != null && !c.isBlank()) {
        return Files.isExecutable(Path.of(c)) ? c : null;
      }
    }
    List<String> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "kubectl").toString());
        }
      }
    }
    candidates.add("/usr/bin/kubectl");
    candidates.add("/usr/local/bin/kubectl");
    for (String c : candidates) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    return null;
  }

  static List<HasMetadata> render(Variant v) {
    String kubectl = kubectl();
    assumeTrue(kubectl != null, "kubectl is not installed: skipping the kustomize render checks");
    return RENDERED.computeIfAbsent(v.toString(), key -> v.components().isEmpty()
        ? kustomize(kubectl, deployDir().resolve(v.dir()))
        : kustomizeWithComponents(kubectl, v));
  }

  /** Renders v.dir plus v.components through a temporary kustomization (kustomize wants relative paths). */
  private static List<HasMetadata> kustomizeWithComponents(String kubectl, Variant v) {
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("weir-kustomize");
      Path from = tmp.toRealPath();
      Path deploy = deployDir().toRealPath();
      StringBuilder k = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
      k.append("resources:\n- ").append(from.relativize(deploy.resolve(v.dir()))).append('\n');
      k.append("components:\n");
      for (String c : v.components()) {
        k.append("- ").append(from.relativize(deploy.resolve(c))).append('\n');
      }
      Files.writeString(tmp.resolve("kustomization.yaml"), k.toString());
      return kustomize(kubectl, tmp);
    } catch (IOException e) {
      throw new AssertionError("could not write a kustomization for " + v, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp.resolve("kustomization.yaml"));
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // temp dir
        }
      }
    }
  }

  private static List<HasMetadata> kustomize(String kubectl, Path dir) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("weir-kustomize", ".yaml");
      err = Files.createTempFile("weir-kustomize", ".err");
      Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      p.getOutputStream().close(); // nothing on stdin
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        fail("kubectl kustomize " + dir + " did not finish within 120s");
      }
      String stderr = Files.readString(err);
      assertEquals(0, p.exitValue(), () -> "kubectl kustomize " + dir + " failed:\n" + stderr);
      return parse(Files.readString(out), dir.toString());
    } catch (IOException e) {
      throw new AssertionError("could not run kubectl kustomize " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      for (Path f : new Path[] {out, err}) {
        if (f != null) {
          try {
            Files.deleteIfExists(f);
          } catch (IOException ignored) {
            // temp file
          }
        }
      }
    }
  }

  static List<HasMetadata> parse(String yaml, String what) {
    Object parsed = Serialization.unmarshal(yaml);
    List<Object> docs = parsed instanceof List<?> l ? new ArrayList<>(l) : List.of(parsed);
    List<HasMetadata> objects = new ArrayList<>();
    for (Object doc : docs) {
      if (doc == null) {
        continue;
      }
      HasMetadata o = assertInstanceOf(HasMetadata.class, doc, what + ": not a Kubernetes object: " + doc);
      // A typed model class means fabric8 knows this apiVersion + kind (a typo'd or removed apiVersion
      // would come back as a GenericKubernetesResource).
      // (except the Prometheus Operator's kinds, which fabric8 does not model; DeployMonitoringTest checks them)
      assertFalse(o instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource
          && !("monitoring.coreos.com/v1".equals(o.getApiVersion()) && MONITORING_KINDS.contains(o.getKind())),
          () -> what + ": unknown apiVersion/kind " + o.getApiVersion() + " " + o.getKind());
      objects.add(o);
    }
    return objects;
  }

  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> name.equals(o.getMetadata().getName())).toList();
    assertEquals(1, found.size(), () -> "expected exactly one " + type.getSimpleName() + " " + name);
    return found.get(0);
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static Container container(Deployment d, String name) {
    List<Container> cs = d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> name.equals(c.getName())).toList();
    assertEquals(1, cs.size(), () -> "container " + name + " in Deployment " + d.getMetadata().getName());
    return cs.get(0);
  }

  static List<Container> allContainers(PodSpec spec) {
    List<Container> cs = new ArrayList<>(spec.getContainers());
    if (spec.getInitContainers() != null) {
      cs.addAll(spec.getInitContainers());
    }
    return cs;
  }

  /** The value following {@code option} in {@code args}; fails when the option is absent or repeated. */
  static String option(List<String> args, String option) {
    List<Integer> at = IntStream.range(0, args.size()).filter(i -> args.get(i).equals(option)).boxed().toList();
    assertEquals(1, at.size(), () -> option + " must appear exactly once in " + args);
    assertTrue(at.get(0) + 1 < args.size(), () -> option + " has no value in " + args);
    String value = args.get(at.get(0) + 1);
    assertFalse(value.startsWith("--"), () -> option + " has no value in " + args);
    return value;
  }

  static int resolvePort(Container c, IntOrString port) {
    assertNotNull(port, "probe/target port");
    if (port.getStrVal() != null) {
      return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
          .map(ContainerPort::getContainerPort).findFirst()
          .orElseThrow(() -> new AssertionError("no port named " + port.getStrVal() + " in " + c.getName()));
    }
    return port.getIntVal();
  }

  static int containerPort(Container c, String name) {
    return resolvePort(c, new IntOrString(name));
  }

  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    boolean any = false;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        any = true;
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        any = true;
        String value = labels.get(r.getKey());
        boolean ok = switch (r.getOperator()) {
          case "In" -> value != null && r.getValues().contains(value);
          case "NotIn" -> value == null || !r.getValues().contains(value);
          case "Exists" -> labels.containsKey(r.getKey());
          case "DoesNotExist" -> !labels.containsKey(r.getKey());
          default -> throw new AssertionError("unknown operator " + r.getOperator());
        };
        if (!ok) {
          return false;
        }
      }
    }
    return any; // an empty selector would select every pod in the namespace: never what we want here
  }

  static boolean matches(Map<String, String> serviceSelector, Map<String, String> labels) {
    return serviceSelector != null && !serviceSelector.isEmpty()
        && serviceSelector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  static Map<String, String> podLabels(Deployment d) {
    return d.getSpec().getTemplate().getMetadata().getLabels();
  }

  static BigDecimal amount(Quantity q) {
    return Quantity.getAmountInBytes(q);
  }

  // ---------------------------------------------------------------------------------------------------------
  // what is rendered, and where

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void rendersExactlyTheExpectedObjects(Variant v) {
    List<HasMetadata> objects = render(v);
    List<String> ids = objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
    assertEquals(ids.size(), new TreeSet<>(ids).size(), () -> "duplicate objects in " + ids);
    assertEquals(expectedObjects(v), new TreeSet<>(ids));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void namespacedObjectsLiveInWeirSystem(Variant v) {
    for (HasMetadata o : render(v)) {
      String id = o.getKind() + "/" + o.getMetadata().getName();
      if (CLUSTER_SCOPED_KINDS.contains(o.getKind())) {
        assertNull(o.getMetadata().getNamespace(), () -> id + " is cluster-scoped");
      } else {
        assertEquals(NS, o.getMetadata().getNamespace(), () -> id);
      }
    }
    Namespace ns = one(render(v), Namespace.class, NS);
    // the pods below are checked against "restricted"; the namespace enforces it so a regression is refused
    assertEquals("restricted", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyObjectCarriesTheCommonLabels(Variant v) {
    for (HasMetadata o : render(v)) {
      String id = o.getKind() + "/" + o.getMetadata().getName();
      Map<String, String> labels = o.getMetadata().getLabels();
      assertNotNull(labels, id);
      assertEquals("weir", labels.get(PART_OF), () -> id);
      if (!Set.of("Namespace", "CustomResourceDefinition").contains(o.getKind())) {
        // objects about both workloads (alerts, dashboard) are "weir"/"monitoring"; the rest belong to one
        Map<String, String> nameToComponent = Set.of("PrometheusRule", "ConfigMap").contains(o.getKind())
            ? Map.of("weir", "monitoring") : Map.of(CONTROLLER, "controller", DATAPLANE, "dataplane");
        assertTrue(nameToComponent.containsKey(labels.get(NAME_LABEL)), () -> id + " name label");
        assertEquals(nameToComponent.get(labels.get(NAME_LABEL)), labels.get(COMPONENT), () -> id + " component");
      }
    }
    for (Deployment d : all(render(v), Deployment.class)) {
      Map<String, String> pod = podLabels(d);
      String component = d.getMetadata().getName().equals(CONTROLLER) ? "controller" : "dataplane";
      assertEquals(Map.of(NAME_LABEL, d.getMetadata().getName(), COMPONENT, component, PART_OF, "weir"), pod);
      assertTrue(matches(d.getSpec().getSelector(), pod), () -> d.getMetadata().getName() + " selector");
      // selectors are immutable: part-of (a common label kustomize may change) must not be in them
      assertFalse(d.getSpec().getSelector().getMatchLabels().containsKey(PART_OF));
    }
  }

  /** Field names are not validated by kustomize; a misspelt one lands in fabric8's additionalProperties. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void noUnknownFields(Variant v) {
    List<String> unknown = new ArrayList<>();
    for (HasMetadata o : render(v)) {
      if (o instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
        continue; // all of it is "additional": DeployMonitoringTest checks the PodMonitor and PrometheusRule fields
      }
      collectUnknownFields(o, o.getKind() + "/" + o.getMetadata().getName(), unknown,
          new IdentityHashMap<>());
    }
    assertEquals(List.of(), unknown);
  }

  private static void collectUnknownFields(Object o, String path, List<String> unknown,
      IdentityHashMap<Object, Boolean> seen) {
    if (o == null || seen.put(o, Boolean.TRUE) != null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        collectUnknownFields(e, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        collectUnknownFields(e.getValue(), path + "." + e.getKey(), unknown, seen);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException | RuntimeException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
      } else {
        collectUnknownFields(value, path + "." + m.getName().substring(3), unknown, seen);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // CRD and IngressClass

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void includesTheGeneratedCrdUnchanged(Variant v) throws IOException {
    CustomResourceDefinition generated = generatedCrd();
    CustomResourceDefinition rendered =
        one(render(v), CustomResourceDefinition.class, generated.getMetadata().getName());
    assertEquals("proxyroutes.weir.dev", rendered.getMetadata().getName());
    assertEquals(generated.getSpec(), rendered.getSpec(), "the rendered CRD spec differs from the generated one");
    assertEquals("pxr", rendered.getSpec().getNames().getShortNames().get(0), "README uses `kubectl get pxr`");
  }

  /** The CRD the crd-generator wrote into target/classes during this build (falls back to deploy/base/crds). */
  static CustomResourceDefinition generatedCrd() throws IOException {
    try (InputStream in = DeployManifestsTest.class.getResourceAsStream(
        "/META-INF/fabric8/proxyroutes.weir.dev-v1.yml")) {
      String yaml = in != null ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(deployDir().resolve("base/crds/proxyroutes.weir.dev-v1.yml"));
      return Serialization.unmarshal(yaml, CustomResourceDefinition.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void ingressClassIsWeirAndNotDefault(Variant v) {
    IngressClass ic = one(render(v), IngressClass.class, "weir");
    assertEquals("weir.dev/ingress-controller", ic.getSpec().getController());
    Map<String, String> annotations = ic.getMetadata().getAnnotations();
    String isDefault = annotations == null ? null : annotations.get("ingressclass.kubernetes.io/is-default-class");
    assertFalse("true".equals(isDefault), "IngressClass weir must not be the cluster default");
  }

  // ---------------------------------------------------------------------------------------------------------
  // pod security

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyContainerIsLockedDown(Variant v) {
    List<Deployment> deployments = all(render(v), Deployment.class);
    assertEquals(2, deployments.size());
    for (Deployment d : deployments) {
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      PodSecurityContext psc = pod.getSecurityContext() != null ? pod.getSecurityContext()
          : new PodSecurityContext();
      assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
          || Boolean.TRUE.equals(pod.getHostIPC()), d.getMetadata().getName() + " uses host namespaces");
      for (Container c : allContainers(pod)) {
        String id = d.getMetadata().getName() + "/" + c.getName();
        SecurityContext sc = c.getSecurityContext();
        assertNotNull(sc, id + " securityContext");
        Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : psc.getRunAsNonRoot();
        assertEquals(Boolean.TRUE, nonRoot, id + " runAsNonRoot");
        Long uid = sc.getRunAsUser() != null ? sc.getRunAsUser() : psc.getRunAsUser();
        assertTrue(uid == null || uid != 0L, id + " runAsUser 0");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), id + " readOnlyRootFilesystem");
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), id + " allowPrivilegeEscalation");
        assertFalse(Boolean.TRUE.equals(sc.getPrivileged()), id + " privileged");
        assertNotNull(sc.getCapabilities(), id + " capabilities");
        assertTrue(sc.getCapabilities().getDrop().contains("ALL"), id + " drops ALL capabilities");
        assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(),
            id + " adds capabilities");
        var seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile() : psc.getSeccompProfile();
        assertNotNull(seccomp, id + " seccompProfile");
        assertEquals("RuntimeDefault", seccomp.getType(), id + " seccompProfile");
        // a read-only root filesystem needs a writable java.io.tmpdir for the JVM and Netty's native libs
        assertTrue(mounts(c).stream().anyMatch(m -> m.getMountPath().equals("/tmp")
            && isEmptyDir(pod, m.getName())), id + " has no emptyDir on /tmp");
        // resources: requests for scheduling (and the HPA), a memory limit against runaway heaps
        assertNotNull(c.getResources(), id + " resources");
        Map<String, Quantity> req = c.getResources().getRequests();
        Map<String, Quantity> lim = c.getResources().getLimits();
        assertTrue(req != null && req.containsKey("cpu") && req.containsKey("memory"), id + " requests");
        assertTrue(lim != null && lim.containsKey("memory"), id + " memory limit");
        assertTrue(amount(lim.get("memory")).compareTo(amount(req.get("memory"))) >= 0,
            id + " memory limit < request");
      }
    }
  }

  static boolean isEmptyDir(PodSpec pod, String volume) {
    return pod.getVolumes() != null && pod.getVolumes().stream()
        .anyMatch(vol -> vol.getName().equals(volume) && vol.getEmptyDir() != null);
  }

  static List<VolumeMount> mounts(Container c) {
    return c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts();
  }

  // ---------------------------------------------------------------------------------------------------------
  // controller

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void controllerDeployment(Variant v) {
    List<HasMetadata> objects = render(v);
    Deployment d = one(objects, Deployment.class, CONTROLLER);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container c = container(d, "controller");

    assertEquals(v.controllerReplicas(), d.getSpec().getReplicas(), "controller replicas");
    // Every replica is Ready once synced (/readyz), so rollouts surge: a new pod is Ready before an old one goes.
    assertEquals("RollingUpdate", d.getSpec().getStrategy().getType());
    IntOrString maxUnavailable = d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
    assertEquals(0, scaled(maxUnavailable, v.controllerReplicas(), false),
        "controller maxUnavailable " + maxUnavailable + ": a rollout must never leave fewer controllers Ready");
    assertEquals(CONTROLLER, pod.getServiceAccountName());
    one(objects, ServiceAccount.class, CONTROLLER);
    assertEquals(CONTROLLER_IMAGE + ":" + v.tag(), c.getImage());
    assertEquals(v.pullPolicy(), c.getImagePullPolicy());
    assertTrue(c.getCommand() == null || c.getCommand().isEmpty(),
        "no command: the image ENTRYPOINT is `weir controller`");

    List<String> args = c.getArgs();
    assertEquals("18000", option(args, "--control-port"));
    assertEquals("9902", option(args, "--admin-port"));
    assertEquals("weir", option(args, "--class"));
    assertEquals(NS + "/" + CA_SECRET, option(args, "--ca-secret"));
    assertEquals(NS + "/" + DATAPLANE_TLS_SECRET, option(args, "--dataplane-tls-secret"));
    assertFalse(args.contains("--insecure-control-channel"), "the control channel runs mutual TLS");
    assertFalse(args.contains("--token-secret") || args.contains("--token-file"), "mTLS needs no token " + args);
    assertEquals(NS + "/" + DATAPLANE, option(args, "--dataplane-service"));
    assertEquals(1, args.stream().filter("--leader-election"::equals).count(), "--leader-election " + args);
    assertEquals(NS, option(args, "--lease-namespace"));
    assertEquals(15, args.size(), () -> "unexpected controller args " + args);

    assertDownwardApi(c, "POD_NAME", "metadata.name");
    assertDownwardApi(c, "POD_NAMESPACE", "metadata.namespace");

    int admin = Integer.parseInt(option(args, "--admin-port"));
    int control = Integer.parseInt(option(args, "--control-port"));
    assertEquals(control, containerPort(c, "control"));
    assertEquals(admin, containerPort(c, "admin"));
    assertHttpProbe(c, c.getReadinessProbe(), "/readyz", admin);
    assertHttpProbe(c, c.getLivenessProbe(), "/healthz", admin);
    assertHttpProbe(c, c.getStartupProbe(), "/healthz", admin);

    boolean spread = pod.getTopologySpreadConstraints() != null && pod.getTopologySpreadConstraints().stream()
        .anyMatch(t -> "kubernetes.io/hostname".equals(t.getTopologyKey())
            && matches(t.getLabelSelector(), podLabels(d)));
    boolean antiAffinity = pod.getAffinity() != null && pod.getAffinity().getPodAntiAffinity() != null;
    assertTrue(spread || antiAffinity, "controller replicas are not spread over nodes");

    // the control channel and admin port behind the ClusterIP Service the dataplanes dial
    Service svc = one(objects, Service.class, CONTROLLER);
    assertTrue(svc.getSpec().getType() == null || "ClusterIP".equals(svc.getSpec().getType()));
    assertTrue(matches(svc.getSpec().getSelector(), podLabels(d)), "Service weir-controller selects the controller");
    assertFalse(matches(svc.getSpec().getSelector(), podLabels(one(objects, Deployment.class, DATAPLANE))));
    assertServicePort(svc, c, "control", control, control);
    assertServicePort(svc, c, "admin", admin, admin);
  }

  static void assertDownwardApi(Container c, String env, String fieldPath) {
    List<EnvVar> vars = c.getEnv().stream().filter(e -> env.equals(e.getName())).toList();
    assertEquals(1, vars.size(), c.getName() + " env " + env);
    EnvVar var = vars.get(0);
    assertTrue(var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null
        && fieldPath.equals(var.getValueFrom().getFieldRef().getFieldPath()),
        c.getName() + " env " + env + " from " + fieldPath);
  }

  static void assertHttpProbe(Container c, Probe probe, String path, int port) {
    assertNotNull(probe, c.getName() + " probe " + path);
    assertHttpGet(c, probe.getHttpGet(), path, port, "probe");
  }

  static void assertHttpGet(Container c, HTTPGetAction get, String path, int port, String what) {
    assertNotNull(get, c.getName() + " " + what + " " + path + " is not httpGet");
    assertEquals(path, get.getPath(), c.getName() + " " + what);
    assertEquals(port, resolvePort(c, get.getPort()), c.getName() + " " + what + " " + path + " port");
    assertTrue(get.getHost() == null, c.getName() + " " + what + " " + path + ": no host, the pod's own IP");
  }

  static void assertServicePort(Service svc, Container c, String name, int port, int containerPort) {
    List<ServicePort> ports = svc.getSpec().getPorts().stream().filter(p -> name.equals(p.getName())).toList();
    assertEquals(1, ports.size(), svc.getMetadata().getName() + " port " + name);
    ServicePort p = ports.get(0);
    assertEquals(port, p.getPort(), svc.getMetadata().getName() + " port " + name);
    assertEquals(containerPort, resolvePort(c, p.getTargetPort()), svc.getMetadata().getName() + " " + name);
    assertTrue(p.getProtocol() == null || "TCP".equals(p.getProtocol()));
  }

  // ---------------------------------------------------------------------------------------------------------
  // dataplane

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void dataplaneDeployment(Variant v) {
    List<HasMetadata> objects = render(v);
    Deployment d = one(objects, Deployment.class, DATAPLANE);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container c = container(d, "dataplane");

    assertNull(d.getSpec().getReplicas(), "the HPA owns the dataplane replica count: no spec.replicas");
    assertEquals(DATAPLANE_IMAGE + ":" + v.tag(), c.getImage());
    assertEquals(v.pullPolicy(), c.getImagePullPolicy());
    assertTrue(c.getCommand() == null || c.getCommand().isEmpty(),
        "no command: the image ENTRYPOINT is `weir dataplane`");

    // never talks to the API: no token, and (see rbacIsLeastPrivilege) no bindings
    assertEquals(DATAPLANE, pod.getServiceAccountName());
    assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
    assertEquals(Boolean.FALSE, one(objects, ServiceAccount.class, DATAPLANE).getAutomountServiceAccountToken());

    List<String> args = c.getArgs();
    assertEquals("8080", option(args, "--http-port"));
    assertEquals("8443", option(args, "--https-port"));
    assertEquals("9901", option(args, "--admin-port"));
    assertEquals("weir-controller.weir-system.svc:18000", option(args, "--controller"));
    assertEquals("/var/run/weir/control-tls", option(args, "--control-tls-dir"));
    assertEquals("/var/lib/weir", option(args, "--state-dir"));
    assertEquals("$(POD_NAME)", option(args, "--replica-id"));
    Duration shutdownDelay = duration(option(args, "--shutdown-delay"));
    Duration drainTimeout = duration(option(args, "--drain-timeout"));
    assertEquals(18, args.size(), () -> "unexpected dataplane args " + args);
    assertDownwardApi(c, "POD_NAME", "metadata.name");

    // --controller names the controller Service's control port
    Matcher m = Pattern.compile("([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc:(\\d+)").matcher(option(args, "--controller"));
    assertTrue(m.matches());
    Service controllerSvc = one(objects, Service.class, m.group(1));
    assertEquals(m.group(2), controllerSvc.getMetadata().getNamespace());
    assertTrue(controllerSvc.getSpec().getPorts().stream()
        .anyMatch(p -> p.getPort() == Integer.parseInt(m.group(3)) && "control".equals(p.getName())));

    // ports
    int admin = Integer.parseInt(option(args, "--admin-port"));
    assertEquals(8080, containerPort(c, "http"));
    assertEquals(8443, containerPort(c, "https"));
    assertEquals(admin, containerPort(c, "admin"));

    // probes: ready only with a snapshot applied (/readyz), alive (/healthz)
    assertHttpProbe(c, c.getReadinessProbe(), "/readyz", admin);
    assertHttpProbe(c, c.getLivenessProbe(), "/healthz", admin);
    assertHttpProbe(c, c.getStartupProbe(), "/healthz", admin);

    // metrics scraped from the admin port
    Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
    assertNotNull(annotations, "pod annotations");
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals(String.valueOf(admin), annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));

    // drain: the preStop hook GET /drain starts the drain and answers after --shutdown-delay (serving, not
    // ready, while endpoints and load balancers forget the pod); SIGTERM follows and in-flight requests get
    // --drain-timeout. The grace period covers the hook as well, so it must exceed the sum.
    assertNotNull(c.getLifecycle(), "dataplane lifecycle");
    var preStop = c.getLifecycle().getPreStop();
    assertNotNull(preStop, "dataplane preStop");
    assertNull(preStop.getExec(), "preStop exec needs a shell/sleep in the image: use GET /drain");
    assertHttpGet(c, preStop.getHttpGet(), "/drain", admin, "preStop");
    assertTrue(shutdownDelay.toSeconds() >= 5,
        "--shutdown-delay too short for endpoints and load balancers to drop the pod: " + shutdownDelay);
    assertTrue(drainTimeout.toSeconds() >= 10, "--drain-timeout too short for in-flight requests: " + drainTimeout);
    Long grace = pod.getTerminationGracePeriodSeconds();
    assertNotNull(grace, "terminationGracePeriodSeconds");
    assertTrue(Duration.ofSeconds(grace).compareTo(shutdownDelay.plus(drainTimeout)) > 0,
        "terminationGracePeriodSeconds " + grace + " must exceed --shutdown-delay " + shutdownDelay
            + " + --drain-timeout " + drainTimeout + ", or SIGKILL cuts the drain short");

    // state dir: an emptyDir, writable
    VolumeMount state = mountAt(c, option(args, "--state-dir"));
    assertTrue(isEmptyDir(pod, state.getName()), "--state-dir must be an emptyDir");
    assertFalse(Boolean.TRUE.equals(state.getReadOnly()));

    // control-channel TLS: the Secret the controller issues, mounted whole and read-only where --control-tls-dir
    // points (whole, not subPath: kubelet then swaps in the renewed files)
    String tlsDir = option(args, "--control-tls-dir");
    VolumeMount tlsMount = mountAt(c, tlsDir);
    assertEquals(Boolean.TRUE, tlsMount.getReadOnly());
    assertNull(tlsMount.getSubPath(), "a subPath mount never sees renewed credentials");
    Volume tlsVolume = pod.getVolumes().stream().filter(vol -> vol.getName().equals(tlsMount.getName()))
        .findFirst().orElseThrow();
    assertNotNull(tlsVolume.getSecret(), "control-tls volume is a Secret");
    Deployment controller = one(objects, Deployment.class, CONTROLLER);
    assertEquals(option(container(controller, "controller").getArgs(), "--dataplane-tls-secret"),
        NS + "/" + tlsVolume.getSecret().getSecretName(), "the dataplane mounts the Secret the controller issues");
    assertFalse(Boolean.TRUE.equals(tlsVolume.getSecret().getOptional()), "no dataplane without credentials");
    var items = tlsVolume.getSecret().getItems();
    assertTrue(items == null || items.isEmpty(), "tls.crt, tls.key and ca.crt under their own names: " + items);
    Integer mode = tlsVolume.getSecret().getDefaultMode();
    assertNotNull(mode, "defaultMode");
    assertEquals(0, mode & 0007, "the private key must not be world-readable: mode " + Integer.toOctalString(mode));
    assertFalse(args.contains("--token-file"), "mTLS needs no token " + args);
    // the controller's certificate names the host the dataplane dials (ServerNames.defaults of weir-system)
    assertTrue(option(args, "--controller").startsWith(CONTROLLER + "." + NS + ".svc:"), option(args, "--controller"));
  }

  /** A Go-style duration as the dataplane's flags take it: "15s", "1m30s", "500ms". */
  static Duration duration(String value) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
      end = m.end();
    }
    assertTrue(end == value.length() && end > 0, "not a duration: " + value);
    return d;
  }

  static VolumeMount mountAt(Container c, String path) {
    return mounts(c).stream().filter(m -> m.getMountPath().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " has nothing mounted at " + path));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void dataplaneService(Variant v) {
    List<HasMetadata> objects = render(v);
    Deployment d = one(objects, Deployment.class, DATAPLANE);
    Container c = container(d, "dataplane");
    Service svc = one(objects, Service.class, DATAPLANE);
    String dataplaneService = option(container(one(objects, Deployment.class, CONTROLLER), "controller").getArgs(),
        "--dataplane-service");
    assertEquals(svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName(), dataplaneService);
    assertEquals("LoadBalancer", svc.getSpec().getType());
    assertEquals("Local", svc.getSpec().getExternalTrafficPolicy());
    assertTrue(matches(svc.getSpec().getSelector(), podLabels(d)), "Service weir-dataplane selects the dataplane");
    assertFalse(matches(svc.getSpec().getSelector(), podLabels(one(objects, Deployment.class, CONTROLLER))));
    assertServicePort(svc, c, "http", 80, Integer.parseInt(option(c.getArgs(), "--http-port")));
    assertServicePort(svc, c, "https", 443, Integer.parseInt(option(c.getArgs(), "--https-port")));
    assertEquals(2, svc.getSpec().getPorts().size(), "only 80 and 443 are exposed");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void dataplaneAutoscaler(Variant v) {
    List<HasMetadata> objects = render(v);
    HorizontalPodAutoscaler hpa = one(objects, HorizontalPodAutoscaler.class, DATAPLANE);
    assertEquals("autoscaling/v2", hpa.getApiVersion());
    var ref = hpa.getSpec().getScaleTargetRef();
    assertEquals("apps/v1", ref.getApiVersion());
    assertEquals("Deployment", ref.getKind());
    Deployment target = one(objects, Deployment.class, ref.getName());
    assertEquals(DATAPLANE, target.getMetadata().getName());
    assertEquals(v.hpaMin(), hpa.getSpec().getMinReplicas(), "HPA minReplicas");
    assertEquals(v.hpaMax(), hpa.getSpec().getMaxReplicas(), "HPA maxReplicas");

    List<MetricSpec> metrics = hpa.getSpec().getMetrics();
    assertTrue(metrics != null && metrics.stream().anyMatch(ms -> "Resource".equals(ms.getType())
        && "cpu".equals(ms.getResource().getName())
        && "Utilization".equals(ms.getResource().getTarget().getType())
        && ms.getResource().getTarget().getAverageUtilization() != null), "HPA on CPU utilization");
    // requests per second only with components/rps-autoscaling: without prometheus-adapter serving it, a Pods
    // metric the HPA cannot read stops every scale-down
    List<MetricSpec> pods = metrics.stream().filter(ms -> "Pods".equals(ms.getType())).toList();
    if (v.rps()) {
      assertEquals(1, pods.size(), "one Pods metric: " + pods);
      assertEquals("weir_dataplane_requests_per_second", pods.get(0).getPods().getMetric().getName());
      assertEquals("AverageValue", pods.get(0).getPods().getTarget().getType());
      assertTrue(amount(pods.get(0).getPods().getTarget().getAverageValue()).signum() > 0, "RPS target");
      assertEquals(2, metrics.size(), "CPU and requests per second: " + metrics);
    } else {
      assertEquals(List.of(), pods, "a Pods metric needs components/rps-autoscaling and prometheus-adapter");
      assertEquals(1, metrics.size(), "CPU only: " + metrics);
    }
    // utilization is relative to the request, so every container of the target needs a CPU request
    for (Container c : target.getSpec().getTemplate().getSpec().getContainers()) {
      assertTrue(c.getResources().getRequests().containsKey("cpu"), c.getName() + " cpu request");
    }
    assertNotNull(hpa.getSpec().getBehavior(), "HPA behavior");
    assertNotNull(hpa.getSpec().getBehavior().getScaleDown(), "HPA scaleDown behavior");
    Integer window = hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds();
    assertTrue(window != null && window >= 60, "scaleDown stabilization window " + window);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void dataplaneDisruptionBudget(Variant v) {
    List<HasMetadata> objects = render(v);
    PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class, DATAPLANE);
    assertEquals("policy/v1", pdb.getApiVersion());
    assertTrue(matches(pdb.getSpec().getSelector(), podLabels(one(objects, Deployment.class, DATAPLANE))),
        "PDB selects the dataplane pods");
    assertFalse(matches(pdb.getSpec().getSelector(), podLabels(one(objects, Deployment.class, CONTROLLER))),
        "PDB must not select the controller pods");
    HorizontalPodAutoscaler hpa = one(objects, HorizontalPodAutoscaler.class, DATAPLANE);
    int min = hpa.getSpec().getMinReplicas();
    int max = hpa.getSpec().getMaxReplicas();
    // at the HPA floor a node drain must be able to proceed, at most one pod at a time when there are several
    assertTrue(allowedDisruptions(pdb, min) >= 1,
        "the PDB blocks every eviction at " + min + " replicas (node drains would hang)");
    for (int n = Math.max(2, min); n <= max; n++) {
      int allowed = allowedDisruptions(pdb, n);
      assertTrue(allowed <= n - 1, "the PDB lets all " + n + " dataplane pods go at once");
      if (v.maxDisruptions() != null) {
        assertTrue(allowed <= v.maxDisruptions(),
            "the PDB allows " + allowed + " evictions at " + n + " replicas, want <= " + v.maxDisruptions());
      }
    }
  }

  /** Disruptions the PDB allows with n healthy pods (the disruption controller's arithmetic). */
  static int allowedDisruptions(PodDisruptionBudget pdb, int n) {
    IntOrString minAvailable = pdb.getSpec().getMinAvailable();
    IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
    assertTrue(minAvailable == null ^ maxUnavailable == null, "exactly one of minAvailable/maxUnavailable");
    if (maxUnavailable != null) {
      return Math.max(0, Math.min(n, scaled(maxUnavailable, n, true)));
    }
    return Math.max(0, n - scaled(minAvailable, n, true));
  }

  /** An int-or-percent of n: PDB fields round up, a Deployment's maxUnavailable rounds down. */
  static int scaled(IntOrString v, int n, boolean roundUp) {
    assertNotNull(v, "int-or-percent value");
    if (v.getStrVal() != null) {
      assertTrue(v.getStrVal().endsWith("%"), "not a percentage: " + v.getStrVal());
      int percent = Integer.parseInt(v.getStrVal().substring(0, v.getStrVal().length() - 1));
      double exact = percent * n / 100.0;
      return (int) (roundUp ? Math.ceil(exact) : Math.floor(exact));
    }
    return v.getIntVal();
  }

  // ---------------------------------------------------------------------------------------------------------
  // RBAC

  record Request(String verb, String apiGroup, String resource, String namespace, String name) {
    @Override
    public String toString() {
      return verb + " " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + resource
          + (name == null ? "" : " " + name) + (namespace == null ? " (cluster-wide)" : " in " + namespace);
    }
  }

  static Request req(String verb, String group, String resource, String namespace, String name) {
    return new Request(verb, group, resource, namespace, name);
  }

  /** RBAC authorization of a request by the given ServiceAccount, from the rendered roles and bindings only. */
  static boolean allowed(List<HasMetadata> objects, String saNamespace, String sa, Request r) {
    List<PolicyRule> rules = new ArrayList<>();
    for (ClusterRoleBinding b : all(objects, ClusterRoleBinding.class)) {
      if (boundTo(b.getSubjects(), saNamespace, sa)) {
        rules.addAll(clusterRole(objects, b.getRoleRef().getKind(), b.getRoleRef().getName()));
      }
    }
    if (r.namespace() != null) {
      for (RoleBinding b : all(objects, RoleBinding.class)) {
        if (r.namespace().equals(b.getMetadata().getNamespace()) && boundTo(b.getSubjects(), saNamespace, sa)) {
          if ("Role".equals(b.getRoleRef().getKind())) {
            all(objects, Role.class).stream()
                .filter(role -> role.getMetadata().getName().equals(b.getRoleRef().getName())
                    && r.namespace().equals(role.getMetadata().getNamespace()))
                .forEach(role -> rules.addAll(role.getRules()));
          } else {
            rules.addAll(clusterRole(objects, b.getRoleRef().getKind(), b.getRoleRef().getName()));
          }
        }
      }
    }
    return rules.stream().anyMatch(rule -> covers(rule, r));
  }

  static List<PolicyRule> clusterRole(List<HasMetadata> objects, String kind, String name) {
    assertEquals("ClusterRole", kind);
    return all(objects, ClusterRole.class).stream().filter(cr -> cr.getMetadata().getName().equals(name))
        .flatMap(cr -> cr.getRules().stream()).toList();
  }

  static boolean boundTo(List<Subject> subjects, String namespace, String sa) {
    return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
        && sa.equals(s.getName()) && namespace.equals(s.getNamespace()));
  }

  static boolean covers(PolicyRule rule, Request r) {
    boolean names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
        || (r.name() != null && rule.getResourceNames().contains(r.name()));
    return has(rule.getVerbs(), r.verb()) && has(rule.getApiGroups(), r.apiGroup())
        && has(rule.getResources(), r.resource()) && names;
  }

  static boolean has(List<String> list, String value) {
    return list != null && (list.contains(value) || list.contains("*"));
  }

  static List<PolicyRule> allRules(List<HasMetadata> objects) {
    List<PolicyRule> rules = new ArrayList<>();
    all(objects, ClusterRole.class).forEach(cr -> rules.addAll(cr.getRules()));
    all(objects, Role.class).forEach(role -> rules.addAll(role.getRules()));
    return rules;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void rbacHasNoWildcards(Variant v) {
    List<HasMetadata> objects = render(v);
    for (PolicyRule rule : allRules(objects)) {
      for (List<String> field : Arrays.asList(rule.getVerbs(), rule.getApiGroups(), rule.getResources(),
          rule.getResourceNames(), rule.getNonResourceURLs())) {
        if (field != null) {
          assertTrue(field.stream().noneMatch(s -> s.contains("*")), "wildcard in " + rule);
        }
      }
      assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty(), "URLs in " + rule);
      assertTrue(Set.of("get", "list", "watch", "create", "update", "patch").containsAll(rule.getVerbs()),
          "verbs beyond get/list/watch/create/update/patch in " + rule);
    }
    assertTrue(all(objects, ClusterRole.class).stream().allMatch(cr -> cr.getAggregationRule() == null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void rbacWritesSecretsOnlyForTheControlChannelInWeirSystem(Variant v) {
    List<HasMetadata> objects = render(v);
    Set<String> readOnly = Set.of("get", "list", "watch");
    for (ClusterRole cr : all(objects, ClusterRole.class)) {
      for (PolicyRule rule : cr.getRules()) {
        if (has(rule.getApiGroups(), "") && rule.getResources().stream().anyMatch(r -> r.startsWith("secrets"))) {
          assertTrue(readOnly.containsAll(rule.getVerbs()),
              "ClusterRole " + cr.getMetadata().getName() + " writes secrets: " + rule);
        }
      }
    }
    for (Role role : all(objects, Role.class)) {
      for (PolicyRule rule : role.getRules()) {
        if (has(rule.getApiGroups(), "") && rule.getResources().stream().anyMatch(r -> r.startsWith("secrets"))) {
          assertEquals(NS, role.getMetadata().getNamespace());
          List<String> writes = rule.getVerbs().stream().filter(verb -> !readOnly.contains(verb)).toList();
          assertTrue(List.of("create", "update").containsAll(writes), "Role writes secrets beyond create/update: " + rule);
          if (rule.getVerbs().contains("create")) {
            // create cannot be limited by resourceNames (Kubernetes ignores them for create): keep it alone
            assertEquals(List.of("create"), rule.getVerbs(), "create shares a rule with other verbs: " + rule);
          } else {
            assertEquals(Set.of(CA_SECRET, DATAPLANE_TLS_SECRET), Set.copyOf(rule.getResourceNames()),
                "namespaced secret reads and updates are limited to the CA and the dataplane credentials: " + rule);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void controllerHasWhatItNeedsAndNothingMore(Variant v) {
    List<HasMetadata> objects = render(v);
    String anyNs = "web";
    List<Request> needed = new ArrayList<>();
    for (String verb : List.of("get", "list", "watch")) {
      needed.add(req(verb, "networking.k8s.io", "ingresses", null, null));
      needed.add(req(verb, "networking.k8s.io", "ingressclasses", null, null));
      needed.add(req(verb, "", "services", null, null));
      needed.add(req(verb, "discovery.k8s.io", "endpointslices", null, null));
      needed.add(req(verb, "", "secrets", null, null));
      needed.add(req(verb, "weir.dev", "proxyroutes", null, null));
    }
    for (String verb : List.of("update", "patch")) {
      needed.add(req(verb, "networking.k8s.io", "ingresses/status", anyNs, "shop"));
      needed.add(req(verb, "weir.dev", "proxyroutes/status", anyNs, "shop"));
    }
    for (String verb : List.of("create", "patch")) {
      needed.add(req(verb, "", "events", anyNs, null));
      needed.add(req(verb, "events.k8s.io", "events", anyNs, null));
    }
    needed.add(req("get", "coordination.k8s.io", "leases", NS, CONTROLLER));
    needed.add(req("update", "coordination.k8s.io", "leases", NS, CONTROLLER));
    needed.add(req("create", "coordination.k8s.io", "leases", NS, null));
    for (String secret : List.of(CA_SECRET, DATAPLANE_TLS_SECRET)) {
      needed.add(req("get", "", "secrets", NS, secret));
    }
    needed.add(req("update", "", "secrets", NS, DATAPLANE_TLS_SECRET));
    needed.add(req("create", "", "secrets", NS, null));
    for (Request r : needed) {
      assertTrue(allowed(objects, NS, CONTROLLER, r), "the controller may not " + r);
    }

    List<Request> forbidden = new ArrayList<>();
    forbidden.add(req("update", "", "secrets", NS, "someone-elses"));
    forbidden.add(req("update", "", "secrets", anyNs, DATAPLANE_TLS_SECRET));
    for (String verb : List.of("patch", "delete", "deletecollection")) {
      forbidden.add(req(verb, "", "secrets", NS, CA_SECRET));
      forbidden.add(req(verb, "", "secrets", NS, DATAPLANE_TLS_SECRET));
    }
    for (String verb : List.of("update", "patch", "delete", "deletecollection")) {
      forbidden.add(req(verb, "", "secrets", anyNs, "shop-tls"));
      forbidden.add(req(verb, "networking.k8s.io", "ingresses", anyNs, "shop"));
      forbidden.add(req(verb, "weir.dev", "proxyroutes", anyNs, "shop"));
      forbidden.add(req(verb, "", "services", NS, DATAPLANE));
    }
    forbidden.add(req("create", "", "secrets", anyNs, null));
    forbidden.add(req("create", "", "secrets", null, null));
    forbidden.add(req("create", "networking.k8s.io", "ingresses", anyNs, null));
    forbidden.add(req("create", "weir.dev", "proxyroutes", anyNs, null));
    forbidden.add(req("update", "coordination.k8s.io", "leases", NS, "someone-else"));
    forbidden.add(req("update", "coordination.k8s.io", "leases", "kube-system", CONTROLLER));
    forbidden.add(req("create", "coordination.k8s.io", "leases", "kube-system", null));
    forbidden.add(req("delete", "coordination.k8s.io", "leases", NS, CONTROLLER));
    forbidden.add(req("get", "", "pods", anyNs, null));
    forbidden.add(req("list", "", "configmaps", null, null));
    forbidden.add(req("update", "", "events", anyNs, "x"));
    forbidden.add(req("delete", "", "events", anyNs, "x"));
    forbidden.add(req("update", "apiextensions.k8s.io", "customresourcedefinitions", null, "proxyroutes.weir.dev"));
    for (Request r : forbidden) {
      assertFalse(allowed(objects, NS, CONTROLLER, r), "the controller may " + r);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void dataplaneHasNoApiAccess(Variant v) {
    List<HasMetadata> objects = render(v);
    for (ClusterRoleBinding b : all(objects, ClusterRoleBinding.class)) {
      assertFalse(boundTo(b.getSubjects(), NS, DATAPLANE), "dataplane bound by " + b.getMetadata().getName());
    }
    for (RoleBinding b : all(objects, RoleBinding.class)) {
      assertFalse(boundTo(b.getSubjects(), NS, DATAPLANE), "dataplane bound by " + b.getMetadata().getName());
    }
    // every binding names only the controller ServiceAccount, in weir-system
    List<Subject> subjects = new ArrayList<>();
    all(objects, ClusterRoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
    all(objects, RoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
    assertFalse(subjects.isEmpty());
    for (Subject s : subjects) {
      assertEquals(List.of("ServiceAccount", CONTROLLER, NS), List.of(s.getKind(), s.getName(), s.getNamespace()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void clusterWideWritesAreStatusAndEventsOnly(Variant v) {
    Set<String> readOnly = Set.of("get", "list", "watch");
    for (ClusterRole cr : all(render(v), ClusterRole.class)) {
      for (PolicyRule rule : cr.getRules()) {
        if (readOnly.containsAll(rule.getVerbs())) {
          continue;
        }
        if (rule.getResources().equals(List.of("events"))) {
          assertEquals(Set.of("create", "patch"), Set.copyOf(rule.getVerbs()), "events: create/patch only " + rule);
        } else {
          assertTrue(rule.getResources().stream().allMatch(r -> r.endsWith("/status")),
              "cluster-wide writes only through status subresources: " + rule);
          assertEquals(Set.of("update", "patch"), Set.copyOf(rule.getVerbs()), "status: update/patch only " + rule);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // images: every container's image comes from a kustomize `images:` entry, with a tag

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyImageComesFromAnImagesEntry(Variant v) throws IOException {
    Map<String, Map<String, Object>> entries = new java.util.LinkedHashMap<>();
    List<Path> roots = new ArrayList<>();
    roots.add(deployDir().resolve(v.dir()));
    v.components().forEach(c -> roots.add(deployDir().resolve(c)));
    for (Path root : roots) {
      collectImageEntries(root, entries);
    }
    for (Deployment d : all(render(v), Deployment.class)) {
      for (Container c : allContainers(d.getSpec().getTemplate().getSpec())) {
        String id = d.getMetadata().getName() + "/" + c.getName() + " image " + c.getImage();
        int at = c.getImage().indexOf('@');
        int colon = c.getImage().lastIndexOf(':');
        String name = at >= 0 ? c.getImage().substring(0, at)
            : colon > c.getImage().lastIndexOf('/') ? c.getImage().substring(0, colon) : c.getImage();
        Map<String, Object> entry = entries.get(name);
        assertNotNull(entry, id + ": no kustomize `images:` entry names " + name);
        Object digest = entry.get("digest");
        Object tag = entry.get("newTag");
        String newName = entry.get("newName") == null ? name : entry.get("newName").toString();
        assertTrue(digest != null || (tag != null && !tag.toString().isBlank() && !"latest".equals(tag.toString())),
            id + ": the `images:` entry pins neither a tag nor a digest: " + entry);
        assertEquals(newName + (digest != null ? "@" + digest : ":" + tag), c.getImage(), id);
      }
    }
  }

  /** The `images:` entries in effect for a kustomization: its own first, then its bases' (outermost wins). */
  @SuppressWarnings("unchecked")
  static void collectImageEntries(Path dir, Map<String, Map<String, Object>> entries) throws IOException {
    Path file = dir.resolve("kustomization.yaml");
    assertTrue(Files.isRegularFile(file), file + " missing");
    Map<String, Object> k = Serialization.unmarshal(Files.readString(file), Map.class);
    for (Map<String, Object> e : (List<Map<String, Object>>) k.getOrDefault("images", List.of())) {
      entries.putIfAbsent(e.get("name").toString(), e);
    }
    for (String key : List.of("resources", "components")) {
      for (Object r : (List<Object>) k.getOrDefault(key, List.of())) {
        Path p = dir.resolve(r.toString()).normalize();
        if (Files.isDirectory(p)) {
          collectImageEntries(p, entries);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // differences between the overlays

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void productionSpreadsPodsOverNodes(Variant v) {
    List<HasMetadata> objects = render(v);
    for (Deployment d : all(objects, Deployment.class)) {
      String id = d.getMetadata().getName();
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      // both workloads spread by hostname and zone in every variant (ScheduleAnyway: a small cluster still runs)
      for (String key : List.of("kubernetes.io/hostname", "topology.kubernetes.io/zone")) {
        assertTrue(pod.getTopologySpreadConstraints() != null && pod.getTopologySpreadConstraints().stream()
            .anyMatch(t -> key.equals(t.getTopologyKey()) && matches(t.getLabelSelector(), podLabels(d))
                && "ScheduleAnyway".equals(t.getWhenUnsatisfiable())), id + " spread by " + key);
      }
      var anti = pod.getAffinity() == null ? null : pod.getAffinity().getPodAntiAffinity();
      if (!v.production()) {
        assertNull(anti, id + ": anti-affinity is production's");
        continue;
      }
      assertNotNull(anti, id + " podAntiAffinity");
      // required anti-affinity would leave a surge pod or an HPA scale-out past the node count Pending
      assertTrue(anti.getRequiredDuringSchedulingIgnoredDuringExecution() == null
          || anti.getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty(), id + ": preferred, not required");
      assertTrue(anti.getPreferredDuringSchedulingIgnoredDuringExecution().stream()
          .anyMatch(w -> w.getWeight() > 0
              && "kubernetes.io/hostname".equals(w.getPodAffinityTerm().getTopologyKey())
              && matches(w.getPodAffinityTerm().getLabelSelector(), podLabels(d))
              && (w.getPodAffinityTerm().getNamespaces() == null || w.getPodAffinityTerm().getNamespaces().isEmpty())
              && w.getPodAffinityTerm().getNamespaceSelector() == null), id + " anti-affinity by hostname");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void productionBudgetsControllerDisruptions(Variant v) {
    List<HasMetadata> objects = render(v);
    List<PodDisruptionBudget> pdbs = all(objects, PodDisruptionBudget.class).stream()
        .filter(p -> matches(p.getSpec().getSelector(), podLabels(one(objects, Deployment.class, CONTROLLER))))
        .toList();
    if (!v.production()) {
      assertEquals(List.of(), pdbs, "dev's single controller must not be pinned by a PDB");
      return;
    }
    assertEquals(1, pdbs.size(), "one PDB selects the controller");
    PodDisruptionBudget pdb = pdbs.get(0);
    assertEquals(CONTROLLER, pdb.getMetadata().getName());
    assertFalse(matches(pdb.getSpec().getSelector(), podLabels(one(objects, Deployment.class, DATAPLANE))));
    assertEquals("AlwaysAllow", pdb.getSpec().getUnhealthyPodEvictionPolicy());
    int replicas = one(objects, Deployment.class, CONTROLLER).getSpec().getReplicas();
    assertEquals(1, allowedDisruptions(pdb, replicas), "one controller may be evicted at a time, not both");
    assertEquals(1, allowedDisruptions(pdb, 1), "a lone controller (mid-rollout, scaled down) may still go");
  }

  @Test
  void productionIsSizedAboveDev() {
    List<HasMetadata> dev = render(DEV);
    List<HasMetadata> prod = render(PRODUCTION);
    for (String[] dc : new String[][] {{CONTROLLER, "controller"}, {DATAPLANE, "dataplane"}}) {
      Map<String, Quantity> devReq = container(one(dev, Deployment.class, dc[0]), dc[1]).getResources().getRequests();
      Map<String, Quantity> prodReq =
          container(one(prod, Deployment.class, dc[0]), dc[1]).getResources().getRequests();
      for (String r : List.of("cpu", "memory")) {
        assertTrue(amount(prodReq.get(r)).compareTo(amount(devReq.get(r))) > 0,
            dc[0] + " " + r + " request: production " + prodReq.get(r) + " <= dev " + devReq.get(r));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // images and docs (plain files, no kubectl needed)

  @Test
  void dockerfilesMatchTheManifests() throws IOException {
    for (String component : List.of("controller", "dataplane")) {
      Path file = deployDir().resolve("images/" + component + ".Dockerfile");
      assertTrue(Files.isRegularFile(file), file + " missing");
      List<String> lines = Files.readAllLines(file).stream().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
      assertTrue(lines.stream().anyMatch(l -> l.equals("FROM eclipse-temurin:17-jre")), file + " base image");
      List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
      assertFalse(users.isEmpty(), file + " has no USER");
      assertTrue(users.get(users.size() - 1).matches("USER 65532(:65532)?"), file + " final USER");
      assertTrue(lines.contains("ENTRYPOINT [\"/opt/weir/bin/weir\", \"" + component + "\"]"),
          file + " ENTRYPOINT");
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("COPY") && l.endsWith(" /opt/weir/lib/")),
          file + " copies lib/");
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("COPY") && l.endsWith(" /opt/weir/bin/weir")),
          file + " copies bin/weir");
    }
  }

  @Test
  void readmeDocumentsInstallVerifyUninstall() throws IOException {
    String readme = Files.readString(deployDir().resolve("README.md"));
    for (String s : List.of("kubectl apply -k deploy/overlays/production", "kubectl -n weir-system get pods",
        "kubectl get ingressclass weir", "kubectl get pxr -A", "kubectl delete -k deploy/overlays/production")) {
      assertTrue(readme.contains(s), "deploy/README.md lacks `" + s + "`");
    }
  }
}
