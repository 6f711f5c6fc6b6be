package dev.weir.crds.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The schema of the rule fields for timeouts, body size, backend protocol and permitInsecure, of the TLS
 * redirect, and how values deserialise.
 */
class ProxyRouteSchemaTest {

  static JSONSchemaProps spec() throws IOException {
    try (InputStream in = ProxyRoute.class.getResourceAsStream("/META-INF/fabric8/proxyroutes.weir.dev-v1.yml")) {
      CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }
  }

  static JSONSchemaProps rule() throws IOException {
    return spec().getProperties().get("rules").getItems().getSchema();
  }

  @Test
  void tlsRedirectDefaultsTo308AndAllowsOnlyRedirectCodes() throws IOException {
    JSONSchemaProps tls = spec().getProperties().get("tls");
    assertEquals(List.of("secretName"), tls.getRequired());
    JSONSchemaProps redirect = tls.getProperties().get("redirect");
    assertEquals("object", redirect.getType());
    assertEquals(List.of("enabled", "statusCode"), redirect.getProperties().keySet().stream().sorted().toList());
    JSONSchemaProps enabled = redirect.getProperties().get("enabled");
    assertEquals("boolean", enabled.getType());
    assertTrue(enabled.getDefault().asBoolean());
    JSONSchemaProps code = redirect.getProperties().get("statusCode");
    assertEquals("integer", code.getType());
    assertEquals(308, code.getDefault().asInt());
    assertEquals(List.of("self in [301, 302, 307, 308]"),
        code.getXKubernetesValidations().stream().map(ValidationRule::getRule).toList());
    assertEquals(HttpsRedirect.STATUS_CODES, List.of(301, 302, 307, 308));
  }

  @Test
  void permitInsecureIsAnOptionalBoolean() throws IOException {
    JSONSchemaProps permit = rule().getProperties().get("permitInsecure");
    assertEquals("boolean", permit.getType());
    assertNull(permit.getDefault());
    assertFalse(rule().getRequired().contains("permitInsecure"));
  }

  @Test
  void redirectFieldsDeserialiseWithTheirDefaults() {
    ProxyRoute r = Serialization.unmarshal("""
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: x, namespace: web}
        spec:
          hosts: [x.example.com]
          tls: {secretName: x-tls, redirect: {}}
          rules:
          - backends: [{service: a, port: 80}]
            permitInsecure: true
          - backends: [{service: a, port: 80}]
        """, ProxyRoute.class);
    assertTrue(r.getSpec().getTls().getRedirect().getEnabled());
    assertEquals(308, r.getSpec().getTls().getRedirect().getStatusCode());
    assertTrue(r.getSpec().getRules().get(0).getPermitInsecure());
    assertNull(r.getSpec().getRules().get(1).getPermitInsecure());
    assertNull(Serialization.unmarshal("""
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: x, namespace: web}
        spec: {hosts: [x.example.com], tls: {secretName: x-tls}, rules: []}
        """, ProxyRoute.class).getSpec().getTls().getRedirect(), "omitted: the controller applies the defaults");
  }

  @Test
  void timeoutsAreGatewayApiDurationsWithCelBounds() throws IOException {
    JSONSchemaProps timeouts = rule().getProperties().get("timeouts");
    assertEquals(List.of("backendConnect", "idle", "request"),
        timeouts.getProperties().keySet().stream().sorted().toList());
    for (JSONSchemaProps field : timeouts.getProperties().values()) {
      assertEquals("string", field.getType());
      assertEquals("^([0-9]{1,5}(h|m|s|ms)){1,4}$", field.getPattern());
    }
    List<String> rules = timeouts.getXKubernetesValidations().stream().map(ValidationRule::getRule).toList();
    assertTrue(rules.stream().anyMatch(r -> r.contains("duration(self.request) <= duration('24h')")), rules::toString);
    assertTrue(rules.stream().anyMatch(r -> r.contains("duration(self.idle) > duration('0s')")), rules::toString);
  }

  @Test
  void maxRequestBodySizeIsAnIntOrStringQuantity() throws IOException {
    JSONSchemaProps size = rule().getProperties().get("maxRequestBodySize");
    assertTrue(size.getXKubernetesIntOrString());
    assertEquals(RouteRule.MAX_BODY_SIZE_PATTERN, size.getPattern());
    Pattern p = Pattern.compile(size.getPattern());
    for (String good : List.of("0", "1048576", "512k", "10M", "1Mi", "1.5Gi", "8Ei")) {
      assertTrue(p.matcher(good).find(), good);
    }
    for (String bad : List.of("", "8m", "1K", "1MB", "1e6", "-1", ".5", "1 Mi", "abc")) {
      assertFalse(p.matcher(bad).find(), bad);
    }
  }

  @Test
  void protocolIsAnEnum() throws IOException {
    JSONSchemaProps protocol = rule().getProperties().get("backends").getItems().getSchema().getProperties()
        .get("protocol");
    assertEquals("string", protocol.getType());
    assertEquals(List.of("GRPC", "H2C", "HTTP1"),
        protocol.getEnum().stream().map(n -> n.asText()).sorted().toList());
  }

  @Test
  void valuesTheSchemaWouldRejectStillDeserialise() {
    // An API server without the CRD's validation (or an older CRD) may store anything; the informer must
    // still read the object, so that the controller can say what is wrong with it.
    ProxyRoute r = Serialization.unmarshal("""
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: x, namespace: web}
        spec:
          hosts: [x.example.com]
          rules:
          - backends: [{service: a, port: 80, protocol: h2}]
            timeouts: {idle: 10x}
            maxRequestBodySize: 99999999999999999999999
          - backends: [{service: a, port: 80}]
            maxRequestBodySize: 1.5
          - backends: [{service: a, port: 80, protocol: GRPC}]
            maxRequestBodySize: 1Mi
          tls: {secretName: x-tls, redirect: {statusCode: 200}}
        """, ProxyRoute.class);
    assertEquals(200, r.getSpec().getTls().getRedirect().getStatusCode());
    List<RouteRule> rules = r.getSpec().getRules();
    assertEquals("h2", rules.get(0).getBackends().get(0).getProtocol());
    assertEquals("10x", rules.get(0).getTimeouts().getIdle());
    assertEquals("99999999999999999999999", rules.get(0).getMaxRequestBodySize());
    assertEquals("1.5", rules.get(1).getMaxRequestBodySize());
    assertNull(rules.get(1).getBackends().get(0).getProtocol());
    assertEquals("GRPC", rules.get(2).getBackends().get(0).getProtocol());
    assertEquals("1Mi", rules.get(2).getMaxRequestBodySize());
  }

  @Test
  void backendTlsIsAnOptionalObjectWhoseCaAndSkipVerifyExcludeEachOther() throws IOException {
    JSONSchemaProps backend = rule().getProperties().get("backends").getItems().getSchema();
    assertFalse(backend.getRequired().contains("tls"));
    JSONSchemaProps tls = backend.getProperties().get("tls");
    assertEquals("object", tls.getType());
    assertEquals(List.of("caSecretName", "insecureSkipVerify", "serverName"), tls.getProperties().keySet().stream().sorted().toList());
    assertEquals("boolean", tls.getProperties().get("insecureSkipVerify").getType());
    assertEquals(253L, tls.getProperties().get("serverName").getMaxLength());
    Pattern dns = Pattern.compile(tls.getProperties().get("serverName").getPattern());
    assertTrue(dns.matcher("api.web.svc").matches());
    assertFalse(dns.matcher("API.web").matches());
    assertFalse(dns.matcher("*.web.svc").matches());
    assertEquals(List.of("!(has(self.caSecretName) && has(self.insecureSkipVerify) && self.insecureSkipVerify)"),
        tls.getXKubernetesValidations().stream().map(ValidationRule::getRule).toList());
    ProxyRoute r = Serialization.unmarshal("""
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: x, namespace: web}
        spec:
          hosts: [x.example.com]
          rules:
          - backends: [{service: a, port: 443, tls: {}}, {service: b, port: 443, tls: {caSecretName: b-ca, serverName: b.example.com}}]
        """, ProxyRoute.class);
    assertNull(r.getSpec().getRules().get(0).getBackends().get(0).getTls().getCaSecretName());
    assertEquals("b-ca", r.getSpec().getRules().get(0).getBackends().get(1).getTls().getCaSecretName());
  }

  @Test
  void loadBalancerRetriesAndMirrorAreValidatedWhereCheap() throws IOException {
    JSONSchemaProps lb = rule().getProperties().get("loadBalancer");
    assertEquals(List.of("LeastRequest", "Maglev", "RingHash", "RoundRobin"),
        lb.getProperties().get("policy").getEnum().stream().map(n -> n.asText()).toList());
    assertEquals(1, lb.getXKubernetesValidations().size(), "hashOn exactly with the hash policies");
    JSONSchemaProps hashOn = lb.getProperties().get("hashOn");
    assertEquals(List.of("clientAddress", "cookie", "header"), hashOn.getProperties().keySet().stream().sorted().toList());
    assertEquals(1, hashOn.getXKubernetesValidations().size(), "exactly one key");
    JSONSchemaProps retries = rule().getProperties().get("retries");
    assertEquals(1, retries.getProperties().get("attempts").getMinimum().intValue());
    assertEquals(10, retries.getProperties().get("attempts").getMaximum().intValue());
    assertEquals(RouteRetries.CONDITIONS.stream().sorted().toList(),
        retries.getProperties().get("retryOn").getItems().getSchema().getEnum().stream().map(n -> n.asText()).toList());
    assertEquals(List.of("port", "service"), rule().getProperties().get("mirror").getRequired().stream().sorted().toList());
  }

  @Test
  void badTrafficValuesStillDeserialise() {
    ProxyRoute r = Serialization.unmarshal("""
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: x, namespace: web}
        spec:
          hosts: [x.example.com]
          rules:
          - backends: [{service: a, port: 80}]
            loadBalancer: {policy: Random, hashOn: {cookie: {name: s, ttl: 1h}}}
            retries: {attempts: 3, retryOn: [gateway-error], retriableStatusCodes: [503], backoff: {base: 10ms}}
            mirror: {service: shadow, port: 8080}
        """, ProxyRoute.class);
    RouteRule rule = r.getSpec().getRules().get(0);
    assertEquals("Random", rule.getLoadBalancer().getPolicy());
    assertEquals("1h", rule.getLoadBalancer().getHashOn().getCookie().getTtl());
    assertEquals(List.of("gateway-error"), rule.getRetries().getRetryOn());
    assertEquals("10ms", rule.getRetries().getBackoff().getBase());
    assertEquals("shadow", rule.getMirror().getService());
  }

  @Test
  void cacheIsOnWhenPresentWithQuantityHeaderTokenAndBoundedPurgePaths() throws IOException {
    JSONSchemaProps cache = rule().getProperties().get("cache");
    assertEquals(List.of("enabled", "maxObjectSize", "purge", "statusHeader"),
        cache.getProperties().keySet().stream().sorted().toList());
    assertTrue(cache.getProperties().get("enabled").getDefault().asBoolean());
    JSONSchemaProps size = cache.getProperties().get("maxObjectSize");
    assertTrue(size.getXKubernetesIntOrString());
    assertEquals(RouteRule.MAX_BODY_SIZE_PATTERN, size.getPattern());
    Pattern header = Pattern.compile(cache.getProperties().get("statusHeader").getPattern());
    for (String good : List.of("", "X-Cache", "x-cache-status", "cf_cache")) {
      assertTrue(header.matcher(good).find(), good);
    }
    for (String bad : List.of("X Cache", "X-Cache:", "(x)", "x/y")) {
      assertFalse(header.matcher(bad).find(), bad);
    }
    JSONSchemaProps purge = cache.getProperties().get("purge");
    assertEquals(List.of("generation"), purge.getRequired());
    assertEquals("integer", purge.getProperties().get("generation").getType());
    JSONSchemaProps paths = purge.getProperties().get("paths");
    assertEquals(RouteCache.MAX_PURGE_PATHS, paths.getMaxItems().intValue());
    JSONSchemaProps path = paths.getItems().getSchema();
    assertEquals(2048L, path.getMaxLength());
    Pattern p = Pattern.compile(path.getPattern());
    for (String good : List.of("/", "/a?b=c", "/products/1", "/%20x")) {
      assertTrue(p.matcher(good).find(), good);
    }
    for (String bad : List.of("", "a", "products?x=1", "/a b", "/a#top")) {
      assertFalse(p.matcher(bad).find(), bad);
    }
    assertTrue(paths.getXKubernetesValidations().isEmpty(), "item patterns, no CEL over unbounded list items");
  }

  @Test
  void compressionEncodingsAreAnEnumWithoutRepeatsAndContentTypesMediaRanges() throws IOException {
    JSONSchemaProps compression = rule().getProperties().get("compression");
    assertEquals(List.of("contentTypes", "enabled", "encodings", "minSize"),
        compression.getProperties().keySet().stream().sorted().toList());
    assertTrue(compression.getProperties().get("enabled").getDefault().asBoolean());
    JSONSchemaProps encodings = compression.getProperties().get("encodings");
    assertEquals(RouteCompression.ENCODINGS.stream().sorted().toList(),
        encodings.getItems().getSchema().getEnum().stream().map(n -> n.asText()).sorted().toList());
    assertEquals(1, encodings.getMinItems().intValue());
    assertEquals(3, encodings.getMaxItems().intValue());
    assertEquals(List.of("self.all(e, self.exists_one(f, f == e))"),
        encodings.getXKubernetesValidations().stream().map(ValidationRule::getRule).toList());
    assertEquals(RouteRule.MAX_BODY_SIZE_PATTERN, compression.getProperties().get("minSize").getPattern());
    JSONSchemaProps types = compression.getProperties().get("contentTypes");
    assertEquals(1, types.getMinItems().intValue());
    assertEquals(RouteCompression.MAX_CONTENT_TYPES, types.getMaxItems().intValue());
    Pattern media = Pattern.compile(types.getItems().getSchema().getPattern());
    for (String good : List.of("text/html", "Application/JSON", "text/*", "application/*+json",
        "application/vnd.api+json", "image/svg+xml")) {
      assertTrue(media.matcher(good).find(), good);
    }
    for (String bad : List.of("", "text", "*/*", "*", "text/html; charset=utf-8", "text/*json", "application/json+*",
        "/json", "text/", "text/html/x")) {
      assertFalse(media.matcher(bad).find(), bad);
    }
  }

  @Test
  void cacheAndCompressionDeserialiseWithEnabledDefaultingToTrueAndBadValuesIntact() {
    ProxyRoute r = Serialization.unmarshal("""
        apiVersion: weir.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: x, namespace: web}
        spec:
          hosts: [x.example.com]
          rules:
          - backends: [{service: a, port: 80}]
            cache: {}
            compression: {}
          - backends: [{service: a, port: 80}]
            cache: {enabled: false, maxObjectSize: 8m, statusHeader: "X Cache", purge: {generation: 9007199254740993, paths: [a]}}
            compression: {enabled: false, encodings: [lz4, lz4], minSize: 1.5, contentTypes: ["*/*"]}
          - backends: [{service: a, port: 80}]
        """, ProxyRoute.class);
    List<RouteRule> rules = r.getSpec().getRules();
    assertTrue(rules.get(0).getCache().getEnabled());
    assertTrue(rules.get(0).getCompression().getEnabled());
    assertNull(rules.get(0).getCache().getPurge());
    RouteCache cache = rules.get(1).getCache();
    assertFalse(cache.getEnabled());
    assertEquals("8m", cache.getMaxObjectSize());
    assertEquals("X Cache", cache.getStatusHeader());
    assertEquals(9007199254740993L, cache.getPurge().getGeneration());
    assertEquals(List.of("a"), cache.getPurge().getPaths());
    RouteCompression compression = rules.get(1).getCompression();
    assertEquals(List.of("lz4", "lz4"), compression.getEncodings());
    assertEquals("1.5", compression.getMinSize());
    assertEquals(List.of("*/*"), compression.getContentTypes());
    assertNull(rules.get(2).getCache());
    assertNull(rules.get(2).getCompression());
  }
}
