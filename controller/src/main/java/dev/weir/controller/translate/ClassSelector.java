package dev.weir.controller.translate;

import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides which Ingresses and ProxyRoutes belong to this controller's IngressClass.
 *
 * <ul>
 *   <li>Ingress: {@code spec.ingressClassName} equals our class name; or it has none and the legacy
 *       annotation {@code kubernetes.io/ingress.class} equals our class name; or it has neither and our
 *       IngressClass (named {@code className}, {@code spec.controller == controllerName}) is marked default.
 *       An Ingress whose legacy annotation names another class is not ours even when our class is default.
 *   <li>ProxyRoute: {@code spec.ingressClassName} equals our class name; or it has none and either our
 *       IngressClass is the default or no IngressClass at all is marked default.
 * </ul>
 *
 * <p>Public so that the watch layer can apply the same filter; pure like the rest of the package.
 */
public final class ClassSelector {
  public static final String LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
  public static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

  private final TranslateOptions options;
  private final boolean ourClassIsDefault;
  private final boolean anyClassIsDefault;

  private ClassSelector(TranslateOptions options, boolean ourClassIsDefault, boolean anyClassIsDefault) {
    this.options = options;
    this.ourClassIsDefault = ourClassIsDefault;
    this.anyClassIsDefault = anyClassIsDefault;
  }

  public static ClassSelector of(List<IngressClass> classes, TranslateOptions options) {
    boolean ours = false;
    boolean any = false;
    for (IngressClass c : classes) {
      if (!isDefault(c)) {
        continue;
      }
      any = true;
      if (options.className().equals(name(c))
          && c.getSpec() != null
          && options.controllerName().equals(c.getSpec().getController())) {
        ours = true;
      }
    }
    return new ClassSelector(options, ours, any);
  }

  /** True when the IngressClass named by the options exists, is ours and is marked default. */
  public boolean ourClassIsDefault() {
    return ourClassIsDefault;
  }

  public boolean owns(Ingress ingress) {
    String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
    if (className != null && !className.isEmpty()) {
      return className.equals(options.className());
    }
    String legacy = annotations(ingress).get(LEGACY_CLASS_ANNOTATION);
    if (legacy != null && !legacy.isEmpty()) {
      return legacy.equals(options.className());
    }
    return ourClassIsDefault;
  }

  public boolean owns(ProxyRoute route) {
    String className = route.getSpec() == null ? null : route.getSpec().getIngressClassName();
    if (className != null && !className.isEmpty()) {
      return className.equals(options.className());
    }
    return ourClassIsDefault || !anyClassIsDefault;
  }

  private static boolean isDefault(IngressClass c) {
    return "true".equals(annotations(c).get(DEFAULT_CLASS_ANNOTATION));
  }

  private static String name(HasMetadata o) {
    return o.getMetadata() == null ? null : o.getMetadata().getName();
  }

  private static Map<String, String> annotations(HasMetadata o) {
    if (o.getMetadata() == null) {
      return Map.of();
    }
    return Objects.requireNonNullElse(o.getMetadata().getAnnotations(), Map.of());
  }
}
