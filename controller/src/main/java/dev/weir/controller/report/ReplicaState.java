package dev.weir.controller.report;

/**
 * What the controller knows of one connected dataplane replica.
 *
 * @param appliedVersion the newest version it ACKed (or reported), 0 if none
 * @param rejectedVersion the newest version it NACKed, 0 if none; {@code rejectReason} says why
 */
public record ReplicaState(
    String replicaId, boolean ready, long appliedVersion, long rejectedVersion, String rejectReason,
    long requestsTotal) {

  public ReplicaState applied(long version) {
    return new ReplicaState(replicaId, ready, Math.max(appliedVersion, version), rejectedVersion, rejectReason, requestsTotal);
  }

  public ReplicaState rejected(long version, String reason) {
    return new ReplicaState(replicaId, ready, appliedVersion, Math.max(rejectedVersion, version), reason, requestsTotal);
  }
}
