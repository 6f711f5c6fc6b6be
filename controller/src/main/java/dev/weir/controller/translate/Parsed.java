package dev.weir.controller.translate;

/**
 * What the small parsers ({@link Durations}, {@link Quantities}) return: a value, or a message fragment
 * saying what is wrong with the input (the caller prefixes the field path, as with {@link MatchRules}).
 */
record Parsed(long value, String problem) {
  static Parsed ok(long value) {
    return new Parsed(value, null);
  }

  static Parsed invalid(String problem) {
    return new Parsed(0, problem);
  }

  boolean ok() {
    return problem == null;
  }
}
