package dev.weir.controller.status;

import dev.weir.controller.logs.ObjectLog;
import dev.weir.controller.metrics.ControllerMetrics;
import dev.weir.controller.metrics.ControllerMetrics.WriteResult;
import dev.weir.controller.report.ReplicaRegistry;
import dev.weir.controller.report.ReplicaState;
import dev.weir.controller.translate.ConditionVerdict;
import dev.weir.controller.translate.ObjectRef;
import dev.weir.controller.watch.ClusterCache;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.ProxyRouteStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerStatus;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of status (STYLE habit 4): ProxyRoute conditions and Ingress load-balancer addresses.
 * An Ingress has no conditions, so its translation verdict (Accepted, ResolvedRefs) is told as Events only.
 * Runs debounced after translations and replica changes, and periodically as a safety net; writes only
 * what differs from the cached object, and only while this controller is the leader.
 */
public final class StatusWriter {
  private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

  private final KubernetesClient client;
  private final ClusterCache cache;
  private final ProgrammedTracker tracker;
  private final ReplicaRegistry registry;
  private final BooleanSupplier leader;
  private final Supplier<List<String>> addresses;
  private long writes;
  private final EventRecorder events;
  private final ControllerMetrics metrics;
  // What each object's status was last computed from; an object whose inputs are unchanged is skipped without
  // building its status, so a change to one route among thousands costs one computation, not thousands.
  private final Map<ObjectRef, Inputs> lastInputs = new HashMap<>();
  // The Ingress verdicts last told as Events (what a ProxyRoute's status conditions remember for it).
  private final Map<ObjectRef, List<Condition>> ingressVerdicts = new HashMap<>();

  /** Everything a ProxyRoute's desired status depends on. */
  private record Inputs(ProgrammedTracker.Tracked tracked, List<ReplicaState> replicas, String resourceVersion) {}

  /**
   * @param addresses where users reach the dataplanes (IPs or host names) for Ingress status
   */
  public StatusWriter(KubernetesClient client, ClusterCache cache, ProgrammedTracker tracker, ReplicaRegistry registry,
      BooleanSupplier leader, Supplier<List<String>> addresses, java.util.concurrent.ScheduledExecutorService eventSender,
      ControllerMetrics metrics) {
    this.client = client;
    this.cache = cache;
    this.tracker = tracker;
    this.registry = registry;
    this.leader = leader;
    this.addresses = addresses;
    this.events = new EventRecorder(client, eventSender);
    this.metrics = metrics;
  }

  /** One pass over every object; returns how many writes failed (the caller retries later). */
  public synchronized int writeAll() {
    return writeAll(false);
  }

  /** @param full recompute every object even if its inputs look unchanged (periodic resync) */
  public synchronized int writeAll(boolean full) {
    if (!leader.getAsBoolean() || tracker.isEmpty()) return 0;
    if (full) lastInputs.clear();
    int failed = 0;
    List<ReplicaState> replicas = registry.replicas();
    Instant now = Instant.now();
    for (ProxyRoute route : cache.proxyRoutes()) {
      var ref = new ObjectRef(ObjectRef.PROXY_ROUTE, route.getMetadata().getNamespace(), route.getMetadata().getName());
      var tracked = tracker.get(ref);
      if (tracked.isEmpty()) continue;
      Inputs inputs = new Inputs(tracked.get(), replicas, route.getMetadata().getResourceVersion());
      if (inputs.equals(lastInputs.get(ref))) continue;
      ProxyRouteStatus desired = StatusComputer.desired(tracked.get(), replicas, route.getStatus(), now);
      if (StatusComputer.same(desired, route.getStatus()) || write(route, desired)) {
        lastInputs.put(ref, inputs);
      } else {
        failed++;
      }
    }
    List<IngressLoadBalancerIngress> lb = loadBalancer(addresses.get());
    Set<ObjectRef> ingresses = new HashSet<>();
    for (Ingress ingress : cache.ingresses()) {
      var ref = new ObjectRef(ObjectRef.INGRESS, ingress.getMetadata().getNamespace(), ingress.getMetadata().getName());
      var tracked = tracker.get(ref);
      if (tracked.isEmpty()) continue;
      ingresses.add(ref);
      List<Condition> verdict = conditions(tracked.get().verdict().conditions());
      List<Condition> told = ingressVerdicts.put(ref, verdict);
      if (!verdict.equals(told)) {
        events.transitions(ingress, told, verdict);
      }
      List<IngressLoadBalancerIngress> current = ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null
          ? List.of() : nullToEmpty(ingress.getStatus().getLoadBalancer().getIngress());
      if (Objects.equals(current, lb)) continue;
      if (!write(ingress, lb)) failed++;
    }
    ingressVerdicts.keySet().retainAll(ingresses);
    return failed;
  }

  private static List<Condition> conditions(List<ConditionVerdict> verdicts) {
    return verdicts.stream().map(c -> new ConditionBuilder().withType(c.type().name())
        .withStatus(c.status() ? "True" : "False").withReason(c.reason().name()).withMessage(c.message()).build())
        .toList();
  }

  public synchronized long writes() {
    return writes;
  }

  private boolean write(ProxyRoute cached, ProxyRouteStatus status) {
    ProxyRoute copy = new ProxyRoute();
    copy.setMetadata(new ObjectMetaBuilder(cached.getMetadata()).build());
    copy.setSpec(cached.getSpec());
    copy.setStatus(status);
    try {
      client.resource(copy).updateStatus();
      writes++;
      written(ObjectRef.PROXY_ROUTE, cached);
      events.transitions(cached, cached.getStatus() == null ? null : cached.getStatus().getConditions(),
          status.getConditions());
      return true;
    } catch (KubernetesClientException e) {
      return notWritten(ObjectRef.PROXY_ROUTE, cached, e);
    }
  }

  private boolean write(Ingress cached, List<IngressLoadBalancerIngress> lb) {
    Ingress copy = new Ingress();
    copy.setMetadata(new ObjectMetaBuilder(cached.getMetadata()).build());
    copy.setSpec(cached.getSpec());
    copy.setStatus(new IngressStatus(new IngressLoadBalancerStatus(lb)));
    try {
      client.resource(copy).updateStatus();
      writes++;
      written(ObjectRef.INGRESS, cached);
      return true;
    } catch (KubernetesClientException e) {
      return notWritten(ObjectRef.INGRESS, cached, e);
    }
  }

  private void written(String kind, io.fabric8.kubernetes.api.model.HasMetadata o) {
    metrics.statusWritten(kind, WriteResult.SUCCESS);
    ObjectLog.about(log.atDebug(), kind, o.getMetadata().getNamespace(), o.getMetadata().getName())
        .log("status written");
  }

  /** @return whether the write needs no retry (the object is gone) */
  private boolean notWritten(String kind, io.fabric8.kubernetes.api.model.HasMetadata o, KubernetesClientException e) {
    // 409: the cache is behind; 404: deleted meanwhile. Either way the next pass sees fresh state.
    boolean stale = e.getCode() == 409 || e.getCode() == 404;
    metrics.statusWritten(kind, stale ? WriteResult.CONFLICT : WriteResult.ERROR);
    // Debug only: a failed pass is retried every second, and an API outage would fail every object each time;
    // weir_controller_status_writes_total{result="error"} is where a persistent failure shows.
    ObjectLog.about(log.atDebug(), kind, o.getMetadata().getNamespace(), o.getMetadata().getName())
        .addKeyValue("code", e.getCode())
        .log("status not written: {}", e.getMessage());
    return e.getCode() == 404;
  }

  static List<IngressLoadBalancerIngress> loadBalancer(List<String> addresses) {
    List<IngressLoadBalancerIngress> out = new ArrayList<>();
    for (String a : addresses) {
      boolean ip = a.matches("\\d{1,3}(\\.\\d{1,3}){3}") || a.contains(":");
      out.add(ip ? new IngressLoadBalancerIngressBuilder().withIp(a).build()
          : new IngressLoadBalancerIngressBuilder().withHostname(a).build());
    }
    return out;
  }

  /** Addresses from a Service's status (LoadBalancer) or, failing that, its external IPs. */
  public static List<String> addressesOf(io.fabric8.kubernetes.api.model.Service service) {
    List<String> out = new ArrayList<>();
    if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null) {
      for (LoadBalancerIngress i : nullToEmpty(service.getStatus().getLoadBalancer().getIngress())) {
        if (i.getIp() != null) out.add(i.getIp());
        else if (i.getHostname() != null) out.add(i.getHostname());
      }
    }
    if (out.isEmpty() && service.getSpec() != null && service.getSpec().getExternalIPs() != null) {
      out.addAll(service.getSpec().getExternalIPs());
    }
    return out;
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
