package dev.weir.dataplane.jmh;

import dev.weir.dataplane.routing.HeaderLookup;
import dev.weir.dataplane.routing.RouteTable;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of one route lookup as the table grows from 10 to 10,000 routes. Routes are spread as real
 * tables are: many hosts with a few paths each (an exact path, two prefixes, one of them nested),
 * plus a wildcard host; every lookup hits an existing route, cycling through 1,024 different ones so
 * that the branch predictor cannot learn a single path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLookupBenchmark {
  private static final int PATHS_PER_HOST = 4;

  @Param({"10", "1000", "10000"})
  public int routes;

  private RouteTable table;
  private String[] hosts;
  private String[] paths;
  private int next;

  @Setup
  public void build() {
    int hostCount = Math.max(1, routes / PATHS_PER_HOST);
    List<VirtualHost> vhosts = new ArrayList<>();
    int made = 0;
    for (int h = 0; h < hostCount && made < routes; h++) {
      List<Route> rs = new ArrayList<>();
      String[] values = {"/api/v1/orders", "/api/v1", "/static", "/"};
      for (int p = 0; p < PATHS_PER_HOST && made < routes; p++, made++) {
        PathMatch match = p == 0 ? PathMatch.exact(values[p]) : PathMatch.prefix(values[p]);
        rs.add(new Route("r" + h + "-" + p, "bench", match, List.of(), null, List.of(new WeightedCluster("c", 1))));
      }
      vhosts.add(new VirtualHost("host-" + h + ".example.com", rs, null));
    }
    vhosts.add(new VirtualHost("*.wild.example.com",
        List.of(new Route("wild", "bench", PathMatch.prefix("/"), List.of(), null, List.of(new WeightedCluster("c", 1)))),
        null));
    table = RouteTable.compile(new Snapshot(1, "", vhosts,
        List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", 8080)))), List.of()));
    String[] requestPaths = {"/api/v1/orders", "/api/v1/orders/42", "/static/css/site.css", "/index.html"};
    hosts = new String[1024];
    paths = new String[1024];
    for (int i = 0; i < 1024; i++) {
      int h = (int) ((i * 2654435761L) % hostCount);
      hosts[i] = i % 16 == 0 ? "x" + i + ".wild.example.com" : "host-" + h + ".example.com";
      paths[i] = requestPaths[i % requestPaths.length];
    }
  }

  @Benchmark
  public void lookup(Blackhole bh) {
    int i = next++ & 1023;
    bh.consume(table.match(hosts[i], paths[i], "GET", HeaderLookup.NONE));
  }
}
