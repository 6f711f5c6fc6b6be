package dev.weir.dataplane.balance;

/** How one attempt to an endpoint ended, as passive health checking sees it. */
public enum Outcome {
  /** A response head below 500 (the endpoint works, whatever the status). */
  SUCCESS,
  /** A 5xx response head from the endpoint. */
  HTTP_5XX,
  /** The TCP (or TLS) connection could not be made, or timed out. */
  CONNECT_FAILURE,
  /** The endpoint closed or reset the connection before a complete response head. */
  RESET,
  /** No response head within the timeout. */
  TIMEOUT,
  /** Given up for a reason that says nothing about the endpoint (the client left, a retry elsewhere won). */
  CANCELLED
}
