package dev.weir.local;

import java.util.concurrent.CountDownLatch;

/** {@code weir local}: the embedded default a newcomer starts first. */
public final class LocalMode {
  private LocalMode() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.print(LocalOptions.USAGE);
      return;
    }
    LocalOptions options;
    try {
      options = LocalOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("weir local: " + e.getMessage());
      System.err.print(LocalOptions.USAGE);
      System.exit(2);
      return;
    }
    LocalCluster cluster;
    try {
      cluster = LocalCluster.start(options);
    } catch (java.net.BindException e) {
      System.err.println("weir local: a port is already in use (" + e.getMessage() + "); pick others with --http-port,"
          + " --https-port and --api-port");
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("weir local: stopping ...");
      cluster.close();
      stopped.countDown();
    }, "weir-local-shutdown"));
    System.out.println(Banner.text(cluster));
    stopped.await();
  }
}
