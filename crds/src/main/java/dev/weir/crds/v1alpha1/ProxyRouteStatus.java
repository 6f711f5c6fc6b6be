package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProxyRouteStatus {
  private Long observedGeneration;
  private List<Condition> conditions = new ArrayList<>();
  private DataplaneStatus dataplanes;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public DataplaneStatus getDataplanes() {
    return dataplanes;
  }

  public void setDataplanes(DataplaneStatus dataplanes) {
    this.dataplanes = dataplanes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProxyRouteStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(dataplanes, s.dataplanes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, dataplanes);
  }
}
