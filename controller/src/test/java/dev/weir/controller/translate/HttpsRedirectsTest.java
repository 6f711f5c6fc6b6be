package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weir.crds.conditions.ConditionType;
import dev.weir.crds.conditions.Reason;
import dev.weir.crds.v1alpha1.HttpsRedirect;
import dev.weir.crds.v1alpha1.RouteTls;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.RoutePolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a ProxyRoute's spec.tls.redirect and an Ingress's ssl-redirect annotations ask for (the golden files show the rest). */
class HttpsRedirectsTest {
  static final ObjectRef REF = new ObjectRef(ObjectRef.PROXY_ROUTE, "web", "shop");

  static ObjectStatus status() {
    return new ObjectStatus(new OwnerAge(null, REF), 1L);
  }

  static HttpsRedirect redirect(Boolean enabled, Integer statusCode) {
    HttpsRedirect r = new HttpsRedirect();
    r.setEnabled(enabled);
    r.setStatusCode(statusCode);
    return r;
  }

  static ConditionVerdict accepted(ObjectStatus s) {
    return s.toVerdict().conditions().get(0);
  }

  @Test
  void proxyRouteRedirectsWith308UnlessToldOtherwise() {
    record Case(RouteTls tls, int want) {}
    List<Case> cases = List.of(
        new Case(null, 0),
        new Case(new RouteTls("shop-tls"), 308),
        new Case(new RouteTls("shop-tls", new HttpsRedirect()), 308),
        new Case(new RouteTls("shop-tls", redirect(null, null)), 308),
        new Case(new RouteTls("shop-tls", redirect(true, 301)), 301),
        new Case(new RouteTls("shop-tls", redirect(null, 302)), 302),
        new Case(new RouteTls("shop-tls", redirect(true, 307)), 307),
        new Case(new RouteTls("shop-tls", redirect(false, 308)), 0),
        new Case(new RouteTls("shop-tls", redirect(false, null)), 0));
    for (Case c : cases) {
      ObjectStatus s = status();
      assertEquals(c.want(), HttpsRedirects.forProxyRoute(c.tls(), s), () -> String.valueOf(c));
      assertEquals(Reason.Accepted, accepted(s).reason());
    }
  }

  @Test
  void anUnsupportedStatusCodeIsRejectedEvenWhenTheRedirectIsOff() {
    for (Boolean enabled : new Boolean[] {true, false, null}) {
      ObjectStatus s = status();
      assertEquals(-1, HttpsRedirects.forProxyRoute(new RouteTls("shop-tls", redirect(enabled, 200)), s));
      assertEquals(new ConditionVerdict(ConditionType.Accepted, false, Reason.UnsupportedValue,
          "spec.tls.redirect.statusCode: unsupported value 200, want 301, 302, 307 or 308"), accepted(s));
    }
  }

  @Test
  void theRedirectIsDroppedOnAHostWithoutCertificate() {
    Route plain = new Route("r", "ProxyRoute/web/shop", PathMatch.prefix("/"), List.of(), null, List.of(),
        new RoutePolicy(1000, 0, 0, 0));
    Route redirecting = HttpsRedirects.withStatus(plain, 308);
    assertEquals(new RoutePolicy(1000, 0, 0, 0, 308), redirecting.policy());
    assertSame(redirecting, HttpsRedirects.withStatus(redirecting, 308));
    assertSame(redirecting, HttpsRedirects.onHost(redirecting, "web/shop-tls"));
    assertEquals(plain, HttpsRedirects.onHost(redirecting, null));
    assertSame(plain, HttpsRedirects.onHost(plain, null));
  }

  static IngressAnnotations.Settings ingress(ObjectStatus s, String... keyValues) {
    Map<String, String> annotations = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      annotations.put(keyValues[i], keyValues[i + 1]);
    }
    return IngressAnnotations.parse(annotations, s);
  }

  @Test
  void ingressAnnotationsTurnTheRedirectOffOrChangeItsCode() {
    String on = IngressAnnotations.SSL_REDIRECT;
    String code = IngressAnnotations.SSL_REDIRECT_CODE;
    assertEquals(308, IngressAnnotations.Settings.DEFAULT.httpsRedirectStatus());
    assertEquals(308, ingress(status(), "other", "x").httpsRedirectStatus());
    assertEquals(308, ingress(status(), on, "true").httpsRedirectStatus());
    assertEquals(308, ingress(status(), on, "TRUE").httpsRedirectStatus());
    assertEquals(0, ingress(status(), on, "false").httpsRedirectStatus());
    assertEquals(0, ingress(status(), on, "False").httpsRedirectStatus());
    assertEquals(0, ingress(status(), on, "false", code, "301").httpsRedirectStatus());
    for (int c : List.of(301, 302, 307, 308)) {
      IngressAnnotations.Settings settings = ingress(status(), code, String.valueOf(c));
      assertEquals(c, settings.httpsRedirectStatus());
      assertEquals(RoutePolicy.DEFAULT, settings.policy(), "the redirect is not part of the Ingress-wide policy");
    }
  }

  @Test
  void invalidIngressAnnotationsAreNamed() {
    String on = IngressAnnotations.SSL_REDIRECT;
    String code = IngressAnnotations.SSL_REDIRECT_CODE;
    Map<List<String>, ConditionVerdict> cases = Map.of(
        List.of(on, "yes"), new ConditionVerdict(ConditionType.Accepted, false, Reason.Invalid,
            "metadata.annotations[weir.dev/ssl-redirect]: \"yes\" is not a boolean, want \"true\" or \"false\""),
        List.of(on, ""), new ConditionVerdict(ConditionType.Accepted, false, Reason.Invalid,
            "metadata.annotations[weir.dev/ssl-redirect]: \"\" is not a boolean, want \"true\" or \"false\""),
        List.of(code, "300"), new ConditionVerdict(ConditionType.Accepted, false, Reason.UnsupportedValue,
            "metadata.annotations[weir.dev/ssl-redirect-code]: unsupported value \"300\", want 301, 302, 307 or 308"),
        List.of(code, " 308"), new ConditionVerdict(ConditionType.Accepted, false, Reason.UnsupportedValue,
            "metadata.annotations[weir.dev/ssl-redirect-code]: unsupported value \" 308\", want 301, 302, 307 or 308"),
        List.of(code, "permanent"), new ConditionVerdict(ConditionType.Accepted, false, Reason.UnsupportedValue,
            "metadata.annotations[weir.dev/ssl-redirect-code]: unsupported value \"permanent\", want 301, 302, 307 or 308"));
    cases.forEach((annotation, want) -> {
      ObjectStatus s = status();
      assertNull(ingress(s, annotation.get(0), annotation.get(1)), () -> annotation + " is invalid");
      assertEquals(want, accepted(s));
    });
  }
}
