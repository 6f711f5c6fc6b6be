/** Prometheus meters (Micrometer) and the per-route request counts that go into control-channel reports. */
package dev.weir.dataplane.metrics;
