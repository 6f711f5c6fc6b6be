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
  Programmed,
  Pending,
  NoDataplanes,
  Rejected
}
