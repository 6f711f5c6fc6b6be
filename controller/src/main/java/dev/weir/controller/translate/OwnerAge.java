package dev.weir.controller.translate;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

/**
 * Precedence between route-carrying objects: older first (metadata.creationTimestamp; a missing or
 * unparsable timestamp sorts last), then namespace, name and kind. The one rule used both to order
 * routes within a virtual host and to pick the winner of a conflict, as the Gateway API does.
 */
record OwnerAge(Instant created, ObjectRef ref) implements Comparable<OwnerAge> {

  private static final Comparator<OwnerAge> ORDER =
      Comparator.comparing(OwnerAge::created, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(a -> a.ref().namespace())
          .thenComparing(a -> a.ref().name())
          .thenComparing(a -> a.ref().kind());

  static OwnerAge of(ObjectRef ref, ObjectMeta meta) {
    return new OwnerAge(parse(meta == null ? null : meta.getCreationTimestamp()), ref);
  }

  /** RFC 3339 as the API server writes it ({@code 2024-05-01T10:00:00Z}); offsets are normalised to UTC. */
  static Instant parse(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(timestamp.trim()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** True when this owner wins only on its creation time, not on the name tie-break. */
  boolean strictlyOlderThan(OwnerAge other) {
    return created != null && (other.created == null || created.isBefore(other.created));
  }

  @Override
  public int compareTo(OwnerAge o) {
    return ORDER.compare(this, o);
  }
}
