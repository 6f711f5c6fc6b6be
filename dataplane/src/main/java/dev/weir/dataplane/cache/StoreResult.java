package dev.weir.dataplane.cache;

/**
 * The outcome of {@link HttpCache#store}.
 *
 * @param storability {@link Storability#STORABLE} when stored, else why not
 * @param stored the stored response, or null when not stored
 */
public record StoreResult(Storability storability, StoredResponse stored) {

  public boolean isStored() {
    return stored != null;
  }
}
