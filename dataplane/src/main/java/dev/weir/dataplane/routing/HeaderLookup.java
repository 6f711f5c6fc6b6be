package dev.weir.dataplane.routing;

import java.util.List;

/**
 * Read access to a request's headers, so that routing needs no Netty types. Implementations
 * compare names case-insensitively (Netty's {@code HttpHeaders::getAll} does).
 */
@FunctionalInterface
public interface HeaderLookup {

  HeaderLookup NONE = name -> List.of();

  /** Every value of the header, in order; empty when absent. */
  List<String> values(String name);
}
