package dev.weir.controller.watch;

/** Asks for a new translation of the whole cluster state; cheap, called from informer threads. */
@FunctionalInterface
public interface RebuildTrigger {
  void request(String why);
}
