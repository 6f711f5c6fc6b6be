package dev.weir.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.e2e.WeirSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backends come and go under steady load the way pods do, through the whole system (API server,
 * controller, two dataplane replicas): an endpoint's pod terminates (its EndpointSlice marks it
 * terminating, the pod dies a moment later, the slice goes), and then every endpoint is replaced one
 * by one (a rolling update: the new pod becomes ready, then an old one terminates). Not one request
 * may fail: a terminating endpoint gets no new requests, what it has in flight finishes or, when it
 * dies first, is retried on another endpoint.
 */
class EndpointChurnE2ETest {
  static final String HOST = "churn.example.com";
  /** How long a terminating pod keeps running before it dies: the endpoint update usually wins, retries cover the rest. */
  static final long TERMINATION_MILLIS = 300;

  WeirSystem system;
  ReadyEndpoints endpoints;
  final List<EchoBackend> backends = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    system = WeirSystem.start(2);
    endpoints = new ReadyEndpoints(100);
    for (Dataplane d : system.dataplanes()) {
      endpoints.add(new ReadyEndpoints.Replica(d.replicaId(), d.httpPort(), d.adminPort()));
    }
  }

  @AfterEach
  void stop() {
    if (endpoints != null) endpoints.close();
    backends.forEach(EchoBackend::close);
    system.close();
  }

  private EchoBackend pod() {
    EchoBackend b = EchoBackend.start("churn", "127.0.0.1");
    backends.add(b);
    system.addEndpoint("churn", b);
    return b;
  }

  private void terminate(EchoBackend b) throws InterruptedException {
    system.markTerminating("churn", b);
    Thread.sleep(TERMINATION_MILLIS);
    b.close(); // the pod dies; its connections reset
    system.removeEndpoint("churn", b);
  }

  @Test
  void anEndpointRemovedAndARollingReplacementOfAllUnderLoadFailNoRequest() throws Exception {
    system.service("churn");
    List<EchoBackend> pods = new ArrayList<>(List.of(pod(), pod(), pod()));
    system.apply(system.route("churn", HOST, "/", "churn"));
    system.awaitEveryReplica(HOST, "/", WeirSystem.fromBackend("churn"), Duration.ofSeconds(15));
    Await.until("two ready replicas", Duration.ofSeconds(10), () -> endpoints.ready().size() == 2);

    try (SteadyLoad load = new SteadyLoad(4, 2, HOST, "churn", endpoints::ready)) {
      Await.until("traffic flows", Duration.ofSeconds(10), () -> load.ok() > 300);

      // One endpoint goes away.
      terminate(pods.remove(0));
      long afterRemoval = load.ok();
      Await.until("traffic goes on", Duration.ofSeconds(10), () -> load.ok() > afterRemoval + 300);

      // Rolling replacement of every endpoint: a new pod becomes ready, then an old one terminates.
      for (EchoBackend old : List.copyOf(pods)) {
        EchoBackend fresh = pod();
        long before = fresh.requests();
        Await.until("the new pod gets traffic", Duration.ofSeconds(15), () -> fresh.requests() > before + 20);
        terminate(old);
        pods.remove(old);
        pods.add(fresh);
      }
      long afterRollout = load.ok();
      Await.until("traffic goes on after the rollout", Duration.ofSeconds(10), () -> load.ok() > afterRollout + 300);
      load.close();
      System.out.printf("endpoint churn: %d ok, %d retried by the client on a closed keep-alive connection%n", load.ok(),
          load.retried());
      assertEquals(List.of(), load.failures(), "not one failed request");
      assertTrue(pods.stream().allMatch(p -> p.requests() > 0), "every current pod served");
    }
  }
}
