package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.coord.WorkerFleet;
import io.herald.bench.http.ApiClient;
import io.herald.bench.http.Payloads;
import io.herald.bench.target.BackingService;
import io.herald.bench.target.HeraldLauncher;
import io.herald.bench.target.RunningServer;
import io.herald.bench.target.SoketiLauncher;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cluster: publish on node 1, subscribers on the other nodes, through an adapter.",
                "%nThe nodes (Herald, or soketi with --target soketi|both; soketi with redis or nats only) share a "
                        + "Redis, Redis Cluster or NATS bus (started by the bench on loopback ports unless --bus-url is "
                        + "given): publishes go to node 1, subscribers connect to the other nodes, so every delivery "
                        + "crosses the adapter. The same fan-out is then measured on one node of the same server with "
                        + "the local adapter: extra_p50_ms = p50 through the adapter - p50 on one node."})
public final class ClusterCommand extends ScenarioCommand {
    @Option(names = "--adapter", required = true, paramLabel = "redis|redis-cluster|nats", description = "Cluster driver (ADAPTER_DRIVER).")
    String adapter;

    @Option(names = "--nodes", defaultValue = "3", description = "Herald nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--bus-url", paramLabel = "URL",
            description = "An already running bus (redis://127.0.0.1:6379, redis://..,redis://.. for a cluster, nats://127.0.0.1:4222).")
    String busUrl;

    @Option(names = "--subscribers", defaultValue = "1000", description = "Subscribers, spread over nodes 2..N (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--channels", defaultValue = "10", description = "Channels (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--rate", defaultValue = "20", description = "Publishes per second, to node 1 (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "15", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    double duration;

    // Three JVMs warming up on two cores beside the load generator: with 10 s their JIT work still
    // doubled the extra latency; after 40 s it has settled.
    @Option(names = "--warmup", defaultValue = "40", description = "Unmeasured seconds first (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--no-baseline", description = "Skip the single-node measurement.")
    boolean noBaseline;

    @Override
    protected String scenario() {
        return "cluster";
    }

    @Override
    protected void validate() {
        if (!List.of("redis", "redis-cluster", "nats").contains(adapter)) {
            throw new IllegalArgumentException("--adapter must be redis, redis-cluster or nats, not '" + adapter + "'");
        }
        if (nodes < 2 || subscribers < 1 || channels < 1 || rate <= 0 || duration <= 0) {
            throw new IllegalArgumentException("cluster needs --nodes >= 2, --subscribers >= 1, --channels >= 1, --rate > 0, --duration > 0");
        }
        if (!target.external() && !target.target.equals("herald") && adapter.equals("redis-cluster")) {
            throw new IllegalArgumentException("soketi is measured with --adapter redis or nats (its Redis Cluster mode "
                    + "takes the nodes from a config file only)");
        }
        if (busUrl != null) {
            for (String u : busUrl.split(",")) {
                io.herald.bench.Loopback.requireLoopback(URI.create(u.trim()));
            }
        }
    }

    @Override
    protected ObjectNode params() {
        ObjectNode p = Json.object();
        p.put("adapter", adapter);
        p.put("nodes", target.external() ? target.url.split(",").length : nodes);
        p.put("subscribers", subscribers);
        p.put("channels", channels);
        p.put("rate", rate);
        p.put("duration_s", duration);
        p.put("warmup_s", warmup);
        p.put("payload_bytes", run.payloadBytes);
        return p;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        ctx = new BenchContext(out(), run.resultsDir(), !run.noSave, commandLine());
        int status = 0;
        try {
            for (String name : target.targets()) {
                ObjectNode line = ctx.envelope(scenario(), name);
                line.set("params", params());
                try {
                    line.setAll(measureCluster(name));
                } catch (Exception e) {
                    status = 1;
                    line.put("error", e.getMessage() == null ? e.toString() : e.getMessage());
                    System.err.println("bench: cluster (" + adapter + ") on " + name + " failed: " + e.getMessage());
                    if (e instanceof HeraldLauncher.StartFailure sf && !sf.log().isBlank()) {
                        System.err.println("bench: end of the node's log:\n" + sf.log());
                    } else if (!(e instanceof IllegalArgumentException)) {
                        e.printStackTrace(System.err);
                    }
                } finally {
                    line.set("machine", ctx.machine());
                    ctx.emit(line);
                }
            }
        } finally {
            ctx.close();
        }
        return status;
    }

    /** Starts one node of {@code name} (herald or soketi), on the bus or, with a null bus, alone. */
    private RunningServer startNode(String name, String nodeName, BackingService bus) throws Exception {
        if (name.equals("herald")) {
            return target.heraldLauncher().start(nodeName, bus == null ? Map.of() : bus.env());
        }
        if (soketi == null) {
            soketi = ctx.track(target.soketiLauncher());
        }
        return soketi.start(bus == null ? Map.of() : bus.soketiEnv());
    }

    private SoketiLauncher soketi;

    @Override
    protected ObjectNode measure(RunningServer server) {
        throw new UnsupportedOperationException("cluster runs its own nodes");
    }

    private ObjectNode measureCluster(String name) throws Exception {
        ObjectNode r = Json.object();
        List<RunningServer> cluster = new ArrayList<>();
        BackingService bus = null;
        if (target.external()) {
            cluster.addAll(target.externalServers());
            if (cluster.size() < 2) {
                throw new IllegalArgumentException("cluster with --url needs two or more URLs (publisher first)");
            }
        } else {
            bus = ctx.track(busUrl != null ? BackingService.external(adapter, busUrl) : BackingService.start(adapter));
            r.put("bus", bus.description());
            for (int k = 1; k <= nodes; k++) {
                try {
                    cluster.add(ctx.track(startNode(name, "bench-node-" + k, bus)));
                } catch (HeraldLauncher.StartFailure e) {
                    throw new HeraldLauncher.StartFailure(name + " node " + k + " of " + nodes + " failed to start with adapter "
                            + adapter + ": " + e.getMessage().replaceFirst("^herald node \\S+ ", ""), e.log());
                }
            }
        }
        // Nodes given by --url may share a process: count each process once.
        List<Long> pids = new ArrayList<>(new java.util.LinkedHashSet<>(cluster.stream().flatMap(s -> s.pids().stream()).toList()));
        ObjectNode serverInfo = cluster.get(0).info().deepCopy();
        var ports = serverInfo.putArray("ports");
        cluster.forEach(s -> ports.add(s.port()));
        var pidArray = serverInfo.putArray("pids");
        pids.forEach(pidArray::add);
        r.set("server", serverInfo);

        WorkerFleet fleet = startWorkers(subscribers);
        try {
            List<URI> subscriberUrls = cluster.subList(1, cluster.size()).stream().map(s -> s.webSocketUri(target.appKey)).toList();
            progress("cluster: " + subscribers + " subscribers on nodes 2.." + cluster.size() + ", publishing to node 1");
            r.setAll(fanout(fleet, cluster.get(0), subscriberUrls, pids));
            for (RunningServer s : cluster) {
                ctx.release(s);
            }
            if (bus != null) {
                ctx.release(bus);
            }
            if (!noBaseline && !target.external()) {
                fleet.closeConnections();
                RunningServer single = ctx.track(startNode(name, "bench-single", null));
                try {
                    progress("baseline: the same fan-out on one node, adapter local");
                    ObjectNode base = fanout(fleet, single, List.of(single.webSocketUri(target.appKey)), single.pids());
                    r.set("single_node", base);
                    Double p50 = io.herald.bench.report.Metrics.value(r, "latency_ms.p50");
                    Double p99 = io.herald.bench.report.Metrics.value(r, "latency_ms.p99");
                    Double b50 = io.herald.bench.report.Metrics.value(base, "latency_ms.p50");
                    Double b99 = io.herald.bench.report.Metrics.value(base, "latency_ms.p99");
                    if (p50 != null && b50 != null) {
                        r.put("extra_p50_ms", Json.round3(p50 - b50));
                    }
                    if (p99 != null && b99 != null) {
                        r.put("extra_p99_ms", Json.round3(p99 - b99));
                    }
                } finally {
                    ctx.release(single);
                }
            }
        } finally {
            ctx.release(fleet);
        }
        return r;
    }

    private ObjectNode fanout(WorkerFleet fleet, RunningServer publishTo, List<URI> subscriberUrls, List<Long> serverPids) throws Exception {
        ObjectNode r = Json.object();
        try (ApiClient api = new ApiClient(publishTo.host(), publishTo.port(), target.appKey, target.appSecret, run.httpConnections).open()) {
            WorkerFleet.Connected connected = fleet.connect(subscriberUrls, subscribers, channels, run.channelPrefix,
                    run.connectConcurrency, run.connectTimeoutSeconds * 1000L);
            r.put("subscribed", connected.subscribed());
            if (connected.subscribed() == 0) {
                throw new IllegalStateException("no subscriber could connect: " + connected.failureReasons());
            }
            FanoutRunner runner = new FanoutRunner(fleet, api, target.appId, new Payloads(run.payloadBytes), connected.perChannel(),
                    run.channelPrefix, serverPids, benchPids(fleet));
            r.setAll(runner.step(rate, duration, warmup));
        }
        return r;
    }
}
