package dev.weir.crds;

import static dev.weir.crds.DeployManifestsTest.CONTROLLER;
import static dev.weir.crds.DeployManifestsTest.DATAPLANE;
import static dev.weir.crds.DeployManifestsTest.NS;
import static dev.weir.crds.DeployManifestsTest.all;
import static dev.weir.crds.DeployManifestsTest.container;
import static dev.weir.crds.DeployManifestsTest.containerPort;
import static dev.weir.crds.DeployManifestsTest.matches;
import static dev.weir.crds.DeployManifestsTest.one;
import static dev.weir.crds.DeployManifestsTest.podLabels;
import static dev.weir.crds.DeployManifestsTest.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.DeployManifestsTest.Variant;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
* The rendered NetworkPolicies, evaluated the way the NetworkPolicy API defines them (an isolated pod admits what
* some rule of some policy selecting it admits): who reaches which port of the Weir pods, where the controller may
* connect. Kubelet traffic (probes, preStop) comes from the node and is not modelled: see networkpolicies.yaml.
*/
class DeployNetworkPoliciesTest {

  static final String SCRAPE_LABEL = "weir.dev/scrape";

  /** A connection's source or destination: a pod (namespace + labels) or an address outside the cluster. */
  record Peer(String namespace, Map<String, String> namespaceLabels, Map<String, String> podLabels, String ip) {
    @Override
    public String toString() {
      return namespace == null ? ip : namespace + "/" + podLabels + " (namespace " + namespaceLabels + ")";
    }
  }

  static final Peer INTERNET = new Peer(null, null, null, "203.0.113.7");

  static Peer pod(String namespace, Map<String, String> namespaceLabels, Map<String, String> labels) {
    Map<String, String> ns = new HashMap<>(namespaceLabels);
    ns.put("kubernetes.io/metadata.name", namespace); // set by the API server on every namespace
    return new Peer(namespace, ns, labels, "10.244.3.17");
  }

  static Peer weirPod(List<HasMetadata> objects, Map<String, String> labels) {
    Map<String, String> nsLabels = one(objects, Namespace.class, NS).getMetadata().getLabels();
    return pod(NS, nsLabels, labels);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.weir.crds.DeployManifestsTest#variants")
  void whoReachesWhichPort(Variant v) {
    List<HasMetadata> objects = render(v);
    Deployment dp = one(objects, Deployment.class, DATAPLANE);
    Deployment ctl = one(objects, Deployment.class, CONTROLLER);
    Container dpc = container(dp, "dataplane");
    Container ctlc = container(ctl, "controller");
    int http = containerPort(dpc, "http");
    int https = containerPort(dpc, "https");
    int dpAdmin = containerPort(dpc, "admin");
    int control = containerPort(ctlc, "control");
    int ctlAdmin = containerPort(ctlc, "admin");

    Peer monitoring = pod("monitoring", Map.of(SCRAPE_LABEL, "true"), Map.of("app.kubernetes.io/name", "prometheus"));
    Peer otherNs = pod("shop", Map.of(), Map.of("app", "web"));
    Peer fakeDataplane = pod("shop", Map.of(), podLabels(dp)); // the dataplane's labels, in another namespace
    Peer dataplane = weirPod(objects, podLabels(dp));
    Peer controller = weirPod(objects, podLabels(ctl));

    // clients reach 8080/8443 from anywhere
    for (Peer p : List.of(INTERNET, otherNs, monitoring)) {
      assertTrue(ingress(objects, dp, http, "TCP", p), p + " -> dataplane http");
      assertTrue(ingress(objects, dp, https, "TCP", p), p + " -> dataplane https");
      assertFalse(ingress(objects, dp, http, "UDP", p), p + " -> dataplane udp");
    }
    // the admin ports (metrics, and the dataplane's /drain) only from monitoring namespaces
    assertTrue(ingress(objects, dp, dpAdmin, "TCP", monitoring), "monitoring -> dataplane admin");
    assertTrue(ingress(objects, ctl, ctlAdmin, "TCP", monitoring), "monitoring -> controller admin");
    for (Peer p : List.of(INTERNET, otherNs, dataplane, controller)) {
      assertFalse(ingress(objects, dp, dpAdmin, "TCP", p), p + " -> dataplane admin");
      assertFalse(ingress(objects, ctl, ctlAdmin, "TCP", p), p + " -> controller admin");
    }
    // the control channel only from the dataplane pods of weir-system
    assertTrue(ingress(objects, ctl, control, "TCP", dataplane), "dataplane -> control channel");
    for (Peer p : List.of(INTERNET, otherNs, fakeDataplane, monitoring, controller)) {
      assertFalse(ingress(objects, ctl, control, "TCP", p), p + " -> control channel");
    }
    // nothing else is open on either pod
    for (int port : List.of(22, 80, 443, 8081, 9090)) {
      for (Peer p : List.of(INTERNET, monitoring, dataplane)) {
        assertFalse(ingress(objects, dp, port, "TCP", p), p + " -> dataplane :" + port);
        assertFalse(ingress(objects, ctl, port, "TCP", p), p + " -> controller :" + port);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.weir.crds.DeployManifestsTest#variants")
  void egress(Variant v) {
    List<HasMetadata> objects = render(v);
    Deployment dp = one(objects, Deployment.class, DATAPLANE);
    Deployment ctl = one(objects, Deployment.class, CONTROLLER);
    Peer apiServer = new Peer(null, null, null, "172.18.0.2"); // host network on a control-plane node
    Peer dns = pod("kube-system", Map.of(), Map.of("k8s-app", "kube-dns"));
    Peer nodeLocalDns = new Peer(null, null, null, "169.254.20.10");
    Peer upstream = pod("shop", Map.of(), Map.of("app", "web"));

    // the controller: the API server (443 managed clusters, 6443 kubeadm/kind/k3s) and DNS, nothing else
    for (int port : List.of(443, 6443)) {
      assertTrue(egress(objects, ctl, apiServer, port, "TCP"), "controller -> API server :" + port);
    }
    for (Peer p : List.of(dns, nodeLocalDns)) {
      assertTrue(egress(objects, ctl, p, 53, "UDP"), "controller -> DNS udp " + p);
      assertTrue(egress(objects, ctl, p, 53, "TCP"), "controller -> DNS tcp " + p);
    }
    for (int port : List.of(80, 8080, 18000, 9901)) {
      assertFalse(egress(objects, ctl, upstream, port, "TCP"), "controller -> :" + port);
    }
    // the dataplane: unrestricted (upstreams are any pod, any port; the control channel; DNS)
    assertTrue(all(objects, NetworkPolicy.class).stream()
            .filter(np -> selects(np.getSpec().getPodSelector(), podLabels(dp)))
            .noneMatch(np -> types(np).contains("Egress")),
        "dataplane egress must stay open: upstreams are arbitrary pod addresses");
    for (int port : List.of(80, 8080, 5432, 18000)) {
      assertTrue(egress(objects, dp, upstream, port, "TCP"), "dataplane -> upstream :" + port);
    }
  }

  /** A named port in a rule that the selected pods do not have matches nothing, silently: refuse it. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.weir.crds.DeployManifestsTest#variants")
  void namedPortsExistAndEveryPodIsIsolated(Variant v) {
    List<HasMetadata> objects = render(v);
    for (Deployment d : all(objects, Deployment.class)) {
      List<NetworkPolicy> selecting = policies(objects, d, "Ingress");
      assertFalse(selecting.isEmpty(), d.getMetadata().getName() + " is selected by no ingress NetworkPolicy");
      Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
      for (NetworkPolicy np : selecting) {
        np.getSpec().getIngress().forEach(rule -> rule.getPorts().stream()
            .filter(p -> p.getPort() != null && p.getPort().getStrVal() != null)
            .forEach(p -> containerPort(c, p.getPort().getStrVal())));
      }
    }
    for (NetworkPolicy np : all(objects, NetworkPolicy.class)) {
      assertEquals(NS, np.getMetadata().getNamespace());
      assertTrue(matchesSomePod(objects, np), np.getMetadata().getName() + " selects no Weir pod");
      if (np.getSpec().getEgress() != null) {
        np.getSpec().getEgress().forEach(rule -> rule.getPorts().forEach(p -> assertNotNull(p.getPort().getIntVal(),
            "egress ports by number (a name would be looked up on the destination pod): " + p)));
      }
    }
  }

  static boolean matchesSomePod(List<HasMetadata> objects, NetworkPolicy np) {
    return all(objects, Deployment.class).stream().anyMatch(d -> selects(np.getSpec().getPodSelector(), podLabels(d)));
  }

  // ---------------------------------------------------------------------------------------------------------
  // the NetworkPolicy semantics

  static List<String> types(NetworkPolicy np) {
    if (np.getSpec().getPolicyTypes() != null && !np.getSpec().getPolicyTypes().isEmpty()) {
      return np.getSpec().getPolicyTypes();
    }
    return np.getSpec().getEgress() == null || np.getSpec().getEgress().isEmpty()
        ? List.of("Ingress") : List.of("Ingress", "Egress");
  }

  static List<NetworkPolicy> policies(List<HasMetadata> objects, Deployment target, String type) {
    return all(objects, NetworkPolicy.class).stream()
        .filter(np -> np.getMetadata().getNamespace().equals(target.getMetadata().getNamespace()))
        .filter(np -> selects(np.getSpec().getPodSelector(), podLabels(target)))
        .filter(np -> types(np).contains(type))
        .toList();
  }

  static boolean ingress(List<HasMetadata> objects, Deployment target, int port, String protocol, Peer from) {
    List<NetworkPolicy> nps = policies(objects, target, "Ingress");
    Container c = target.getSpec().getTemplate().getSpec().getContainers().get(0);
    return nps.isEmpty() || nps.stream().anyMatch(np -> np.getSpec().getIngress() != null
        && np.getSpec().getIngress().stream().anyMatch(rule ->
            ports(rule.getPorts(), port, protocol, name -> containerPort(c, name))
                && peers(rule.getFrom(), np.getMetadata().getNamespace(), from)));
  }

  static boolean egress(List<HasMetadata> objects, Deployment source, Peer to, int port, String protocol) {
    List<NetworkPolicy> nps = policies(objects, source, "Egress");
    return nps.isEmpty() || nps.stream().anyMatch(np -> np.getSpec().getEgress() != null
        && np.getSpec().getEgress().stream().anyMatch(rule ->
            ports(rule.getPorts(), port, protocol, name -> -1)
                && peers(rule.getTo(), np.getMetadata().getNamespace(), to)));
  }

  static boolean ports(List<NetworkPolicyPort> ports, int port, String protocol, Function<String, Integer> named) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    return ports.stream().anyMatch(p -> {
      String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
      if (!proto.equals(protocol)) {
        return false;
      }
      IntOrString value = p.getPort();
      if (value == null) {
        return true;
      }
      if (value.getStrVal() != null) {
        return named.apply(value.getStrVal()) == port;
      }
      int end = p.getEndPort() == null ? value.getIntVal() : p.getEndPort();
      return value.getIntVal() <= port && port <= end;
    });
  }

  static boolean peers(List<NetworkPolicyPeer> peers, String policyNamespace, Peer p) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    return peers.stream().anyMatch(peer -> {
      if (peer.getIpBlock() != null) {
        return inBlock(peer.getIpBlock(), p.ip());
      }
      if (p.namespace() == null) {
        return false; // not a pod: only ipBlocks match it
      }
      boolean namespaceOk = peer.getNamespaceSelector() == null
          ? policyNamespace.equals(p.namespace())
          : selects(peer.getNamespaceSelector(), p.namespaceLabels());
      boolean podOk = peer.getPodSelector() == null || selects(peer.getPodSelector(), p.podLabels());
      return namespaceOk && podOk;
    });
  }

  /** A NetworkPolicy selector: empty selects everything (unlike {@link DeployManifestsTest#matches}). */
  static boolean selects(LabelSelector s, Map<String, String> labels) {
    boolean empty = s == null || ((s.getMatchLabels() == null || s.getMatchLabels().isEmpty())
        && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty()));
    return empty || matches(s, labels);
  }

  static boolean inBlock(IPBlock block, String ip) {
    if (!block.getCidr().contains(".")) {
      return false; // IPv6 blocks: the peers here are IPv4
    }
    boolean in = inCidr(block.getCidr(), ip);
    return in && (block.getExcept() == null || block.getExcept().stream().noneMatch(e -> inCidr(e, ip)));
  }

  static boolean inCidr(String cidr, String ip) {
    String[] parts = cidr.split("/");
    int bits = Integer.parseInt(parts[1]);
    long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
    return (v4(parts[0]) & mask) == (v4(ip) & mask);
  }

  static long v4(String ip) {
    long v = 0;
    for (String octet : ip.split("\\.")) {
      v = (v << 8) | Integer.parseInt(octet);
    }
    return v;
  }
}
