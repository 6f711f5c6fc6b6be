package dev.weir.snapshot;

import java.util.List;

/**
 * A set of interchangeable upstream endpoints, e.g. the ready pods behind one Service port.
 *
 * @param name e.g. {@code web/api:8080}
 */
public record Cluster(String name, List<Endpoint> endpoints) {
  public Cluster {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }
}
