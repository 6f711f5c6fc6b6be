package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How a rule picks an endpoint of the backend it chose: {@code policy} (default {@code LeastRequest}), and
 * for the hash policies what to hash ({@code hashOn}, required with them and refused with the others).
 * What is known about endpoints (requests in flight, ejections, health) is shared by every route to a Service.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.policy) && (self.policy == 'RingHash' || self.policy == 'Maglev')) == has(self.hashOn)",
    message = "hashOn is required with policy RingHash or Maglev and not allowed with the other policies")
public class RouteLoadBalancer {
  /** The algorithms. */
  public enum Policy {
    /** Smooth weighted round robin. */
    RoundRobin,
    /** Power of two random choices over requests in flight (the default). */
    LeastRequest,
    /** Consistent hashing on a ring: a key keeps its endpoint while endpoints come and go, few keys move. */
    RingHash,
    /** Maglev lookup table: as RingHash, with an even spread and O(1) lookup. */
    Maglev
  }

  /** One of {@link Policy}'s names; omitted: LeastRequest. A string in Java, so that a bad value still deserialises. */
  @SchemaFrom(type = Policy.class)
  @io.fabric8.generator.annotation.Size(max = 16)
  private String policy;

  private HashOn hashOn;

  public RouteLoadBalancer() {}

  public RouteLoadBalancer(String policy, HashOn hashOn) {
    this.policy = policy;
    this.hashOn = hashOn;
  }

  public String getPolicy() {
    return policy;
  }

  public void setPolicy(String policy) {
    this.policy = policy;
  }

  public HashOn getHashOn() {
    return hashOn;
  }

  public void setHashOn(HashOn hashOn) {
    this.hashOn = hashOn;
  }

  /**
   * What RingHash and Maglev hash: exactly one of a request header's value, a cookie's value or the client's
   * address. A request without the key is balanced as LeastRequest would.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "(has(self.header) ? 1 : 0) + (has(self.cookie) ? 1 : 0)"
          + " + (has(self.clientAddress) && self.clientAddress ? 1 : 0) == 1",
      message = "hashOn needs exactly one of header, cookie or clientAddress: true")
  public static class HashOn {
    /** A request header's name, e.g. {@code x-user-id}. */
    @io.fabric8.generator.annotation.Pattern("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
    private String header;

    private HashCookie cookie;

    /** true: hash the client's address (the connection's peer, or the first X-Forwarded-For hop the proxy trusts). */
    private Boolean clientAddress;

    public HashOn() {}

    public HashOn(String header, HashCookie cookie, Boolean clientAddress) {
      this.header = header;
      this.cookie = cookie;
      this.clientAddress = clientAddress;
    }

    public String getHeader() {
      return header;
    }

    public void setHeader(String header) {
      this.header = header;
    }

    public HashCookie getCookie() {
      return cookie;
    }

    public void setCookie(HashCookie cookie) {
      this.cookie = cookie;
    }

    public Boolean getClientAddress() {
      return clientAddress;
    }

    public void setClientAddress(Boolean clientAddress) {
      this.clientAddress = clientAddress;
    }
  }

  /**
   * Session affinity by cookie: a request with the cookie goes where its value hashes to; one without gets an
   * endpoint and the proxy sets the cookie to a fresh random value on the response, with {@code Max-Age} ttl
   * (omitted or {@code 0s}: a session cookie).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HashCookie {
    @io.fabric8.generator.annotation.Required
    @io.fabric8.generator.annotation.Pattern("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
    private String name;

    /** A Gateway API duration, e.g. {@code 1h}; whole seconds are used. */
    @io.fabric8.generator.annotation.Pattern(RouteTimeouts.DURATION_PATTERN)
    private String ttl;

    public HashCookie() {}

    public HashCookie(String name, String ttl) {
      this.name = name;
      this.ttl = ttl;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public String getTtl() {
      return ttl;
    }

    public void setTtl(String ttl) {
      this.ttl = ttl;
    }
  }
}
