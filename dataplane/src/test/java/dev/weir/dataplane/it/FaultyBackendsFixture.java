package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.FaultyBackend;
import dev.weir.dataplane.testing.FaultyBackend.Mode;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.UpstreamProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** One dataplane (two event loops, 5 s response timeout) and misbehaving-on-demand backends, for each test. */
abstract class FaultyBackendsFixture {

  Dataplane dp;
  final List<FaultyBackend> backends = new ArrayList<>();

  @BeforeEach
  void startDataplane() throws Exception {
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(2)
        .proxy(ProxySettings.defaults().withResponseTimeout(Duration.ofSeconds(5))).build());
  }

  @AfterEach
  void stopDataplaneAndBackends() {
    dp.close(Duration.ofSeconds(2));
    backends.forEach(FaultyBackend::close);
  }

  FaultyBackend backend(String name, Mode mode) {
    FaultyBackend b = FaultyBackend.start(name, mode);
    backends.add(b);
    return b;
  }

  static Cluster cluster(String name, ClusterResilience resilience, FaultyBackend... bs) {
    return new Cluster(name, Arrays.stream(bs).map(FaultyBackend::endpoint).toList(), UpstreamProtocol.HTTP1, null, resilience);
  }

  void apply(Snapshot s) {
    assertTrue(dp.config().apply(s).accepted(), "snapshot accepted");
  }
}
