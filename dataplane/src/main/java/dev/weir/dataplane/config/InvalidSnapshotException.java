package dev.weir.dataplane.config;

import java.util.List;

/** A snapshot that cannot be applied; the message lists every problem, separated by "; ". */
public final class InvalidSnapshotException extends RuntimeException {

  private final List<String> problems;

  public InvalidSnapshotException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
