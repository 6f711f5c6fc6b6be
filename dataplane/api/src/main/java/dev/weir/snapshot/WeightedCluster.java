package dev.weir.snapshot;

/** A share of a route's traffic: {@code weight} out of the sum of the route's weights. Weight 0 gets none. */
public record WeightedCluster(String cluster, int weight) {}
