package dev.weir.local.apiserver;

/** A client error found while reading or admitting a request; the dispatcher answers it with 400 and a Status. */
final class BadRequestException extends RuntimeException {
  BadRequestException(String message) {
    super(message);
  }
}
