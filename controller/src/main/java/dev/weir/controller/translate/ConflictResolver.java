package dev.weir.controller.translate;

import dev.weir.controller.translate.Claims.RouteCandidate;
import dev.weir.controller.translate.Claims.TlsClaim;
import dev.weir.crds.conditions.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Settles claims of different objects on the same thing, deterministically: the older owner keeps it
 * ({@link OwnerAge}: creationTimestamp, then namespace/name). The loser gets Accepted=False, reason
 * Conflicted, with a message naming the winner; its other routes are unaffected.
 *
 * <ul>
 *   <li>Routes: two candidates with the same {@link RouteCandidate#matchKey()} (host, path type and
 *       value, header set, method) from different objects. Candidates of one object never conflict with
 *       each other; the dataplane takes the first in route order.
 *   <li>TLS: two different certificates for one host. Claims for the same certificate agree.
 * </ul>
 */
final class ConflictResolver {
  private ConflictResolver() {}

  /** The candidates that survive, in no particular order (the virtual host builder sorts them). */
  static List<RouteCandidate> routes(List<RouteCandidate> candidates) {
    Map<String, List<RouteCandidate>> byMatch = new TreeMap<>();
    for (RouteCandidate c : candidates) {
      byMatch.computeIfAbsent(c.matchKey(), k -> new ArrayList<>()).add(c);
    }
    List<RouteCandidate> kept = new ArrayList<>();
    for (List<RouteCandidate> group : byMatch.values()) {
      group.sort(Comparator.comparing((RouteCandidate c) -> c.owner().age())
          .thenComparingInt(RouteCandidate::rule)
          .thenComparingInt(RouteCandidate::match));
      ObjectStatus winner = group.get(0).owner();
      for (RouteCandidate c : group) {
        if (c.owner() == winner) {
          kept.add(c);
        } else {
          c.owner().problem(Reason.Conflicted,
              c.describe() + " is already claimed by " + winner.display() + " " + why(winner, c.owner()));
        }
      }
    }
    return kept;
  }

  /** The TLS claim (certificate and client validation) that wins for each host. */
  static Map<String, TlsClaim> tls(List<TlsClaim> claims) {
    Map<String, List<TlsClaim>> byHost = new TreeMap<>();
    for (TlsClaim c : claims) {
      byHost.computeIfAbsent(c.host(), k -> new ArrayList<>()).add(c);
    }
    Map<String, TlsClaim> winners = new TreeMap<>();
    for (Map.Entry<String, List<TlsClaim>> e : byHost.entrySet()) {
      List<TlsClaim> group = e.getValue();
      group.sort(Comparator.comparing((TlsClaim c) -> c.owner().age())
          .thenComparing(TlsClaim::field)
          .thenComparing(TlsClaim::certificateName));
      TlsClaim winner = group.get(0);
      winners.put(e.getKey(), winner);
      for (TlsClaim c : group) {
        if (!c.certificateName().equals(winner.certificateName())) {
          c.owner().problem(Reason.Conflicted,
              c.field() + ": host " + c.host() + " already has TLS certificate " + winner.certificateName()
                  + " from " + winner.owner().display() + " " + why(winner.owner(), c.owner()));
        } else if (!Objects.equals(c.clientValidation(), winner.clientValidation())) {
          // One handshake per host: it either asks for client certificates (against one CA) or not.
          c.owner().problem(Reason.Conflicted,
              c.field() + ": host " + c.host() + " already has "
                  + (winner.clientValidation() == null ? "no client certificate validation" : "other client certificate validation")
                  + " from " + winner.owner().display() + " " + why(winner.owner(), c.owner()));
        }
      }
    }
    return winners;
  }

  private static String why(ObjectStatus winner, ObjectStatus loser) {
    if (winner == loser) {
      return "(listed first)";
    }
    return winner.age().strictlyOlderThan(loser.age()) ? "(older)" : "(same age, ordered by namespace/name)";
  }
}
