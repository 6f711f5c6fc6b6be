/**
 * Load balancing within a cluster: what is known about each endpoint (requests in flight, outlier
 * ejections, active health, slow start), kept per cluster across snapshots, and the pickers a route
 * uses over it (round robin, least request, ring hash, maglev).
 */
package dev.weir.dataplane.balance;
