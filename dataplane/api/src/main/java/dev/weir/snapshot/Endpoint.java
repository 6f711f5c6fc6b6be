package dev.weir.snapshot;

/** One upstream address: an IP literal (v4 or v6, never a name the dataplane would have to resolve) and port. */
public record Endpoint(String address, int port) {}
