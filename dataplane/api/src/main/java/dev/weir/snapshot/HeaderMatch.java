package dev.weir.snapshot;

/** A request header that must be present with exactly this value (name compared case-insensitively). */
public record HeaderMatch(String name, String value) {}
