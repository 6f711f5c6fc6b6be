package dev.weir.snapshot;

/** A request cookie that must be present with exactly this value (name and value compared exactly, as browsers send them). */
public record CookieMatch(String name, String value) {}
