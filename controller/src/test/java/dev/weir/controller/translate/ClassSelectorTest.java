package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassSelectorTest {
  static final TranslateOptions OPTIONS = TranslateOptions.defaults();

  static IngressClass ingressClass(String name, String controller, boolean isDefault) {
    IngressClassBuilder b = new IngressClassBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withController(controller).endSpec();
    if (isDefault) {
      b.editMetadata().addToAnnotations(ClassSelector.DEFAULT_CLASS_ANNOTATION, "true").endMetadata();
    }
    return b.build();
  }

  static Ingress ingress(String className, String legacyAnnotation) {
    IngressBuilder b = new IngressBuilder().withNewMetadata().withName("i").withNamespace("web").endMetadata()
        .withNewSpec().withIngressClassName(className).endSpec();
    if (legacyAnnotation != null) {
      b.editMetadata().addToAnnotations(ClassSelector.LEGACY_CLASS_ANNOTATION, legacyAnnotation).endMetadata();
    }
    return b.build();
  }

  static ProxyRoute proxyRoute(String className) {
    ProxyRoute r = new ProxyRoute();
    r.getSpec().setIngressClassName(className);
    return r;
  }

  @Test
  void aClassNamedLikeOursWithAForeignControllerDoesNotMakeUsDefault() {
    ClassSelector s = ClassSelector.of(List.of(ingressClass("weir", "example.com/other", true)), OPTIONS);
    assertFalse(s.ourClassIsDefault());
    assertFalse(s.owns(ingress(null, null)));
    assertFalse(s.owns(proxyRoute(null)), "a class is marked default, and it is not ours");
    assertTrue(s.owns(ingress("weir", null)), "an explicit class name is enough");
  }

  @Test
  void theDefaultAnnotationMustBeExactlyTrue() {
    IngressClass c = ingressClass("weir", TranslateOptions.CONTROLLER_NAME, false);
    c.getMetadata().setAnnotations(java.util.Map.of(ClassSelector.DEFAULT_CLASS_ANNOTATION, "yes"));
    ClassSelector s = ClassSelector.of(List.of(c), OPTIONS);
    assertFalse(s.ourClassIsDefault());
    assertTrue(s.owns(proxyRoute(null)), "no class is marked default at all");
  }

  @Test
  void theClassNameWinsOverTheLegacyAnnotation() {
    ClassSelector s = ClassSelector.of(List.of(), OPTIONS);
    assertTrue(s.owns(ingress("weir", "nginx")));
    assertFalse(s.owns(ingress("nginx", "weir")));
    assertTrue(s.owns(ingress(null, "weir")));
    assertTrue(s.owns(ingress("", "weir")), "an empty class name counts as none");
  }

  @Test
  void anotherClassNameAndControllerCanBeConfigured() {
    TranslateOptions options = new TranslateOptions("edge", "example.com/edge");
    ClassSelector s = ClassSelector.of(List.of(ingressClass("edge", "example.com/edge", true)), options);
    assertTrue(s.owns(ingress(null, null)));
    assertTrue(s.owns(proxyRoute("edge")));
    assertFalse(s.owns(proxyRoute("weir")));
  }
}
