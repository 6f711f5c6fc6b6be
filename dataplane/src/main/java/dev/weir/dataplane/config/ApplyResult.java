package dev.weir.dataplane.config;

/** What {@link ConfigHolder#apply} did with a snapshot. */
public sealed interface ApplyResult {

  long version();

  /** True when the snapshot is now the one served (also when it was only re-labelled). */
  default boolean accepted() {
    return !(this instanceof Rejected);
  }

  /**
   * The snapshot is being served.
   *
   * @param relabelled its content hash equalled the applied one, so only the version changed (no recompile)
   */
  record Applied(long version, String hash, boolean relabelled) implements ApplyResult {}

  /** The snapshot was not applied; the previous one is still served. */
  record Rejected(long version, String reason) implements ApplyResult {}
}
