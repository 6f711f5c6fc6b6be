/**
 * The embeddable {@link dev.weir.dataplane.app.Dataplane} (listeners, admin endpoints, control
 * channel, graceful drain), its {@link dev.weir.dataplane.app.DataplaneOptions}, and the
 * {@code weir dataplane} command line in {@link dev.weir.dataplane.app.DataplaneMain}.
 */
package dev.weir.dataplane.app;
