package dev.weir.controller.translate;

import dev.weir.controller.translate.Claims.RouteCandidate;
import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.CookieMatch;
import dev.weir.snapshot.HeaderMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.WeightedCluster;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges the weighted canaries of Ingresses ({@link IngressCanary}) into their primary's route, before
 * conflicts are settled: the primary route of the oldest Ingress without the canary annotation in the
 * canary's namespace with the same host and path keeps its name and settings, its backends get
 * {@code total - weight} and the canary's {@code weight}. Several canaries of one primary each take their
 * share. A canary by header (without a value) or by cookie also gets a copy of the primary's route as it
 * was, matching the value {@code never}, so such requests never take the weighted share. A canary
 * without a primary is reported (Accepted=False) and gets nothing.
 */
final class Canaries {
  private Canaries() {}

  static void merge(Claims claims) {
    List<RouteCandidate> routes = claims.routes();
    for (Claims.CanaryCandidate canary : claims.canaries()) {
      String key = new RouteCandidate(canary.host(), canary.route(), canary.owner(), 0, 0).matchKey();
      int primary = -1;
      for (int i = 0; i < routes.size(); i++) {
        RouteCandidate c = routes.get(i);
        if (c.owner() != canary.owner() && ObjectRef.INGRESS.equals(c.owner().ref().kind())
            && c.owner().ref().namespace().equals(canary.owner().ref().namespace()) && c.matchKey().equals(key)
            && (primary < 0 || Comparator.comparing((RouteCandidate r) -> r.owner().age())
                .compare(c, routes.get(primary)) < 0)) {
          primary = i;
        }
      }
      if (primary < 0) {
        canary.owner().problem(Reason.Invalid, "metadata.annotations[" + IngressCanary.WEIGHT + "]: no Ingress without "
            + IngressCanary.CANARY + " in namespace " + canary.owner().ref().namespace() + " serves "
            + new RouteCandidate(canary.host(), canary.route(), canary.owner(), 0, 0).describe() + " to split with");
        continue;
      }
      RouteCandidate p = routes.get(primary);
      List<WeightedCluster> backends = new ArrayList<>();
      for (WeightedCluster w : p.route().backends()) {
        backends.add(new WeightedCluster(w.cluster(), w.weight() * (canary.total() - canary.weight())));
      }
      for (WeightedCluster w : canary.route().backends()) {
        backends.add(new WeightedCluster(w.cluster(), w.weight() * canary.weight()));
      }
      Route r = p.route();
      routes.set(primary, new RouteCandidate(p.host(), r.withBackends(backends), p.owner(), p.rule(), p.match()));
      canary.owner().programmed(r.name());
      // "never": the primary's route as it was, ahead of the split; the canary owns it (its annotation made it)
      for (HeaderMatch h : canary.neverHeaders()) {
        Route never = r.named(canary.route().name() + "/never-header", canary.route().owner()).withHeaders(List.of(h));
        routes.add(new RouteCandidate(p.host(), never, canary.owner(), p.rule(), p.match()));
      }
      for (CookieMatch c : canary.neverCookies()) {
        Route never = r.named(canary.route().name() + "/never-cookie", canary.route().owner()).withCookies(List.of(c));
        routes.add(new RouteCandidate(p.host(), never, canary.owner(), p.rule(), p.match()));
      }
    }
  }
}
