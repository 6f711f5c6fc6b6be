package dev.weir.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Weir's route resource: hosts, matches and weighted backends, modelled on the Gateway API's HTTPRoute. */
@Group(ProxyRoute.GROUP)
@Version(ProxyRoute.VERSION)
@Kind("ProxyRoute")
@Plural("proxyroutes")
@Singular("proxyroute")
@ShortNames("pxr")
@AdditionalPrinterColumn(name = "Hosts", jsonPath = ".spec.hosts", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Programmed",
    jsonPath = ".status.conditions[?(@.type==\"Programmed\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Replicas",
    jsonPath = ".status.dataplanes.summary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ProxyRoute extends CustomResource<ProxyRouteSpec, ProxyRouteStatus> implements Namespaced {
  public static final String GROUP = "weir.dev";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "ProxyRoute";

  @Override
  protected ProxyRouteSpec initSpec() {
    return new ProxyRouteSpec();
  }
}
