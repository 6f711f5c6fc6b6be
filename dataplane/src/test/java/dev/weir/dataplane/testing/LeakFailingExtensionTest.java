package dev.weir.dataplane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakFailingExtensionTest {

  @Test
  void catchesADeliberatelyLeakedBuffer() {
    leakOneBuffer();
    List<String> leaks = new ArrayList<>();
    // The collector may need a few rounds to enqueue the lost buffer.
    for (int i = 0; i < 20 && leaks.isEmpty(); i++) {
      leaks.addAll(LeakFailingExtension.collectLeaks());
    }
    assertEquals(1, leaks.size(), "expected exactly the deliberate leak: " + leaks);
    assertTrue(leaks.get(0).startsWith("LEAK: ByteBuf.release() was not called"), leaks.get(0));
    assertTrue(leaks.get(0).contains("leakOneBuffer"), "paranoid level records where it was allocated");
    // collectLeaks forgot it, so this class does not fail in afterAll.
  }

  @Test
  void aReleasedBufferIsNotALeak() {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(64);
    buf.writeLong(1);
    buf.release();
    assertTrue(LeakFailingExtension.collectLeaks().isEmpty());
  }

  private static void leakOneBuffer() {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(128);
    buf.writeInt(42);
    // no release: the reference is dropped here on purpose
  }
}
