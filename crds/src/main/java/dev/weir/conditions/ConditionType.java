package dev.weir.crds.conditions;

/** Condition types Weir writes on ProxyRoutes (and reasons for Ingresses' Events). */
public enum ConditionType {
  /** The route is valid and not in conflict with an older one. */
  Accepted,
  /** Every Service and Secret it references exists and has what is needed. */
  ResolvedRefs,
  /** Every ready dataplane replica has applied a snapshot that includes this generation. */
  Programmed
}
