package dev.weir.controller.translate;

/**
 * Which objects are ours.
 *
 * @param className the IngressClass name this controller serves (default {@code weir})
 * @param controllerName the IngressClass {@code spec.controller} value ({@code weir.dev/ingress-controller})
 */
public record TranslateOptions(String className, String controllerName) {
  public static final String DEFAULT_CLASS = "weir";
  public static final String CONTROLLER_NAME = "weir.dev/ingress-controller";

  public static TranslateOptions defaults() {
    return new TranslateOptions(DEFAULT_CLASS, CONTROLLER_NAME);
  }
}
