package dev.weir.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a leak (a LEAK log line) during it.
 *
 * <p>Registered for every test class through {@code META-INF/services} and JUnit's extension
 * autodetection. It installs a {@link ResourceLeakDetectorFactory} whose detectors record every
 * report besides logging it. Netty only notices a leak once the garbage collector has enqueued the
 * lost buffer and a later allocation polls the queue, so after each class this runs the collector
 * and allocates a few buffers before looking at what was recorded.
 *
 * <p>The factory is process-wide by Netty's design; installing it happens once, when JUnit loads
 * this class, which is before any test allocates a buffer.
 */
public final class LeakFailingExtension implements BeforeAllCallback, AfterAllCallback {

  private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();
  private static final boolean INSTALLED = install();

  private static boolean install() {
    if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.SIMPLE.ordinal()) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    return true;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // Leaks from before this class (another class, or JUnit itself) are not this class's fault.
    collectLeaks();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = collectLeaks();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "Netty reported " + leaks.size() + " leak(s) in " + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
    }
  }

  /**
   * Runs the collector, lets the detectors poll, and returns (and forgets) every leak reported
   * since the last call.
   */
  public static List<String> collectLeaks() {
    if (!INSTALLED) {
      throw new IllegalStateException("leak detector factory not installed");
    }
    for (int round = 0; round < 3; round++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      // Each allocation at PARANOID level makes the buffer detector drain its reference queue.
      for (int i = 0; i < 8; i++) {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        a.release();
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
        b.release();
      }
    }
    List<String> out = new ArrayList<>();
    String leak;
    while ((leak = LEAKS.poll()) != null) {
      out.add(leak);
    }
    return out;
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      // Report even if the logger is quiet: the test must fail either way.
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected.");
      super.reportUntracedLeak(resourceType);
    }
  }
}
