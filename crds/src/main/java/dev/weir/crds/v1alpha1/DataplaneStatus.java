package dev.weir.crds.v1alpha1;

import java.util.Objects;

/** How many dataplane replicas serve the route: {@code ready} of {@code total} at snapshot {@code version}. */
public class DataplaneStatus {
  private Integer ready;
  private Integer total;
  private Long version;
  /** "ready/total", for the printer column. */
  private String summary;

  public DataplaneStatus() {}

  public DataplaneStatus(int ready, int total, long version) {
    this.ready = ready;
    this.total = total;
    this.version = version;
    this.summary = ready + "/" + total;
  }

  public Integer getReady() {
    return ready;
  }

  public void setReady(Integer ready) {
    this.ready = ready;
  }

  public Integer getTotal() {
    return total;
  }

  public void setTotal(Integer total) {
    this.total = total;
  }

  public Long getVersion() {
    return version;
  }

  public void setVersion(Long version) {
    this.version = version;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataplaneStatus d
        && Objects.equals(ready, d.ready)
        && Objects.equals(total, d.total)
        && Objects.equals(version, d.version)
        && Objects.equals(summary, d.summary);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ready, total, version, summary);
  }
}
