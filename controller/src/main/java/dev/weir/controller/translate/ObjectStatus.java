package dev.weir.controller.translate;

import dev.weir.crds.conditions.ConditionType;
import dev.weir.crds.conditions.Reason;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Collects, while one translation runs, every problem found with one object and the routes it got
 * programmed; {@link #toVerdict()} turns that into the object's {@link Verdict}.
 *
 * <p>Problems are kept in the order they were found (spec field order, then conflicts), each message
 * once. A condition's reason is that of its first problem; its message joins all of them with "; ".
 */
final class ObjectStatus {
  static final String ACCEPTED_MESSAGE = "accepted";
  static final String RESOLVED_MESSAGE = "all references resolved";
  static final String SEPARATOR = "; ";

  /** Reasons that belong to ResolvedRefs; every other problem reason makes Accepted false. */
  private static final Set<Reason> REFERENCE_REASONS =
      EnumSet.of(Reason.BackendNotFound, Reason.PortNotFound, Reason.SecretNotFound, Reason.InvalidCertificate,
          Reason.InvalidServiceAnnotation);

  private record Problem(Reason reason, String message) {}

  private final OwnerAge age;
  private final long generation;
  private final List<Problem> acceptance = new ArrayList<>();
  private final List<Problem> references = new ArrayList<>();
  private final SortedSet<String> routeNames = new TreeSet<>();

  ObjectStatus(OwnerAge age, Long generation) {
    this.age = age;
    this.generation = generation == null ? 0L : generation;
  }

  ObjectRef ref() {
    return age.ref();
  }

  OwnerAge age() {
    return age;
  }

  /** The snapshot's {@code owner} string, e.g. {@code ProxyRoute/web/shop}. */
  String owner() {
    return age.ref().toString();
  }

  /** {@code ProxyRoute web/shop}: how messages name this object. */
  String display() {
    return age.ref().kind() + " " + age.ref().namespace() + "/" + age.ref().name();
  }

  /** Records a problem; the reason decides whether it counts against Accepted or ResolvedRefs. */
  void problem(Reason reason, String message) {
    List<Problem> list = REFERENCE_REASONS.contains(reason) ? references : acceptance;
    Problem p = new Problem(reason, message);
    if (!list.contains(p)) {
      list.add(p);
    }
  }

  void programmed(String routeName) {
    routeNames.add(routeName);
  }

  Verdict toVerdict() {
    return new Verdict(
        age.ref(),
        generation,
        List.of(
            condition(ConditionType.Accepted, acceptance, Reason.Accepted, ACCEPTED_MESSAGE),
            condition(ConditionType.ResolvedRefs, references, Reason.ResolvedRefs, RESOLVED_MESSAGE)),
        List.copyOf(routeNames));
  }

  private static ConditionVerdict condition(ConditionType type, List<Problem> problems, Reason ok, String okMessage) {
    if (problems.isEmpty()) {
      return new ConditionVerdict(type, true, ok, okMessage);
    }
    String message = problems.stream().map(Problem::message).collect(Collectors.joining(SEPARATOR));
    return new ConditionVerdict(type, false, problems.get(0).reason(), message);
  }
}
