package dev.weir.controller.push;

import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.SnapshotJson;

/**
 * A snapshot as published, with its push frame, encoded once and
 * shared by every session (a snapshot of a thousand routes is a few hundred KB of JSON: encoding it
 * per replica would multiply the controller's work by the number of replicas).
 */
public final class PublishedSnapshot {
  private final Snapshot snapshot;
  private volatile byte[] pushFrame;

  public PublishedSnapshot(Snapshot snapshot) {
    this.snapshot = snapshot;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  public long version() {
    return snapshot.version();
  }

  /** Size of the push frame in bytes (encodes it if no session has yet). */
  public int serializedBytes() {
    return pushFrame().length;
  }

  /** The JSON of {@code Push(snapshot)}; computed on first use, by whichever session gets there first. */
  byte[] pushFrame() {
    byte[] f = pushFrame;
    if (f == null) {
      f = SnapshotJson.encode(new ChannelMessage.Push(snapshot));
      pushFrame = f; // benign race: two threads may both encode, with identical results
    }
    return f;
  }
}
