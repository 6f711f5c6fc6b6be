package dev.weir.controller.push;

import dev.weir.snapshot.Snapshot;

/** A snapshot as published, with the moment it was published (for propagation metrics). */
public record PublishedSnapshot(Snapshot snapshot, long publishedAtNanos) {
  public long version() {
    return snapshot.version();
  }
}
