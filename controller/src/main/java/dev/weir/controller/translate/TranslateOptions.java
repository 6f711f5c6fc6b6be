package dev.weir.controller.translate;

/**
 * Which objects are ours, and the controller-wide TLS defaults.
 *
 * @param className the IngressClass name this controller serves (default {@code weir})
 * @param controllerName the IngressClass {@code spec.controller} value ({@code weir.dev/ingress-controller})
 * @param defaultCertificate {@code namespace/name} of a {@code kubernetes.io/tls} Secret served to TLS
 *     clients whose SNI name has no certificate of its own (ingress-nginx's {@code --default-ssl-certificate});
 *     null: the first certificate by name
 */
public record TranslateOptions(String className, String controllerName, String defaultCertificate) {
  public static final String DEFAULT_CLASS = "weir";
  public static final String CONTROLLER_NAME = "weir.dev/ingress-controller";

  public TranslateOptions(String className, String controllerName) {
    this(className, controllerName, null);
  }

  public static TranslateOptions defaults() {
    return new TranslateOptions(DEFAULT_CLASS, CONTROLLER_NAME);
  }

  public TranslateOptions withDefaultCertificate(String namespaceAndName) {
    return new TranslateOptions(className, controllerName, namespaceAndName);
  }
}
