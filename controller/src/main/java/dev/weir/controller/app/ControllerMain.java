package dev.weir.controller.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.concurrent.CountDownLatch;

/** {@code weir controller}: the controller on its own, as the container image runs it. */
public final class ControllerMain {
  private ControllerMain() {}

  public static void main(String[] args) throws Exception {
    ControllerArgs.Parsed parsed;
    try {
      parsed = ControllerArgs.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("weir controller: " + e.getMessage());
      System.err.print(ControllerArgs.USAGE);
      System.exit(2);
      return;
    }
    if (parsed.help()) {
      System.out.print(ControllerArgs.USAGE);
      return;
    }
    if (parsed.kubeconfig() != null) System.setProperty("kubeconfig", parsed.kubeconfig().toString());
    KubernetesClient client = new KubernetesClientBuilder().build();
    WeirController controller;
    try {
      controller = WeirController.start(parsed.options(), client);
    } catch (IllegalArgumentException e) {
      System.err.println("weir controller: " + e.getMessage());
      client.close();
      System.exit(2);
      return;
    }
    System.out.println("weir controller ready control=" + controller.controlPort() + " admin=" + controller.adminPort());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      controller.close();
      client.close();
      stopped.countDown();
    }, "weir-shutdown"));
    stopped.await();
  }
}
