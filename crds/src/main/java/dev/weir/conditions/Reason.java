package dev.weir.crds.conditions;

/** CamelCase reasons for conditions, shared by translation, reports and status. */
public enum Reason {
  Accepted,
  Invalid,
  UnsupportedValue,
  Conflicted,
  ResolvedRefs,
  BackendNotFound,
  PortNotFound,
  SecretNotFound,
  InvalidCertificate,
  /** A backend Service carries an invalid {@code weir.dev/} annotation; the default is used instead. */
  InvalidServiceAnnotation,
  Programmed,
  Pending,
  NoDataplanes,
  Rejected
}
