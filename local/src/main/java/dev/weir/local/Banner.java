package dev.weir.local;

import java.nio.file.Path;

/** What to try next, printed once everything is up. */
final class Banner {
  private Banner() {}

  static String text(LocalCluster c) {
    LocalOptions o = c.options();
    Path kubeconfig = o.kubeconfigPath().toAbsolutePath();
    String host = o.bind().equals("0.0.0.0") ? "127.0.0.1" : o.bind();
    StringBuilder b = new StringBuilder();
    b.append("\nWeir is running locally:\n");
    b.append("  API server    ").append(c.api().url()).append("   (kubeconfig ").append(kubeconfig).append(")\n");
    b.append("  controller    control channel 127.0.0.1:").append(c.controller().controlPort())
        .append(", admin http://127.0.0.1:").append(c.controller().adminPort()).append("/metrics\n");
    for (int i = 0; i < c.replicas().size(); i++) {
      int[] p = c.replicaPorts().get(i);
      b.append("  dataplane     ").append(c.replicas().get(i).id()).append(": http ").append(host).append(':').append(p[0]);
      if (p[1] > 0) b.append(", https ").append(host).append(':').append(p[1]);
      b.append(", admin http://127.0.0.1:").append(p[2]).append("/readyz\n");
    }
    for (SampleBackend s : c.backends()) {
      b.append("  backend       ").append(s.name()).append(" at 127.0.0.1:").append(s.port()).append('\n');
    }
    b.append("\nTry:\n");
    b.append("  curl -H 'Host: shop.example.com' http://").append(host).append(':').append(o.httpPort()).append("/\n");
    b.append("  curl -H 'Host: shop.example.com' http://").append(host).append(':').append(o.httpPort()).append("/api/orders\n");
    b.append("  curl -H 'Host: shop.example.com' -H 'x-canary: 1' http://").append(host).append(':').append(o.httpPort())
        .append("/api/orders\n");
    b.append("  curl -H 'Host: hello.example.com' http://").append(host).append(':').append(o.httpPort()).append("/\n");
    b.append("  export KUBECONFIG=").append(kubeconfig).append('\n');
    b.append("  kubectl get proxyroutes,ingress\n");
    b.append("  kubectl describe pxr shop\n");
    b.append("  kubectl apply -f my-route.yaml\n");
    b.append("\nCtrl-C stops everything.\n");
    return b.toString();
  }
}
