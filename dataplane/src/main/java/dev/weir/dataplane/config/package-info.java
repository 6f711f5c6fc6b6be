/**
 * What the dataplane serves and where it comes from: {@link dev.weir.dataplane.config.SnapshotValidator},
 * the compiled {@link dev.weir.dataplane.config.RuntimeConfig}, the atomically swapped
 * {@link dev.weir.dataplane.config.ConfigHolder} (with persistence), and the
 * {@link dev.weir.dataplane.config.ControlChannelClient} that receives snapshots from the controller.
 */
package dev.weir.dataplane.config;
