package dev.weir.controller.translate;

/** Names a route-carrying object: kind is {@code ProxyRoute} or {@code Ingress}. */
public record ObjectRef(String kind, String namespace, String name) implements Comparable<ObjectRef> {
  public static final String PROXY_ROUTE = "ProxyRoute";
  public static final String INGRESS = "Ingress";

  @Override
  public int compareTo(ObjectRef o) {
    int c = kind.compareTo(o.kind);
    if (c != 0) return c;
    c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return kind + "/" + namespace + "/" + name;
  }
}
