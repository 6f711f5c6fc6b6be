package dev.weir.dataplane.proxy;

/**
 * Fired into every downstream pipeline when the dataplane drains: an idle keep-alive connection
 * closes now, a busy one after its current response (which carries {@code Connection: close}).
 */
public enum DrainEvent {
  INSTANCE
}
