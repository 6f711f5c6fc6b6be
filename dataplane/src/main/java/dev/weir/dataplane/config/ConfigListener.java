package dev.weir.dataplane.config;

/** Told about every apply; called on the applying thread, after the swap. Must not block. */
public interface ConfigListener {

  default void applied(RuntimeConfig config, ApplyResult.Applied result) {}

  default void rejected(ApplyResult.Rejected result) {}

  /** How long an {@link ConfigHolder#apply} took (validate, compile, swap, persist), whatever its result. */
  default void applyTook(long nanos) {}
}
