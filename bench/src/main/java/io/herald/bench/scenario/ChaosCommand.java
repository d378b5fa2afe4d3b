package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.SlotLayout;
import io.herald.bench.coord.SlotFleet;
import io.herald.bench.coord.WorkerFleet;
import io.herald.bench.http.ApiClient;
import io.herald.bench.http.LoggedPublisher;
import io.herald.bench.http.Payloads;
import io.herald.bench.http.PublishLog;
import io.herald.bench.target.BackingService;
import io.herald.bench.target.HeraldLauncher;
import io.herald.bench.target.Processes;
import io.herald.bench.target.RunningServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Chaos: faults under load on a cluster of Herald nodes, and what each cost.",
                "%nStarts a private Redis or NATS on a free loopback port and three Herald nodes on it, spreads the "
                        + "connections over the nodes, publishes through the HTTP API round-robin over the nodes and churns "
                        + "connections and presence members. Then, in order, each followed by --recovery seconds: the bus is "
                        + "SIGKILLed and started again on its port after --outage s; a node is SIGKILLed and started again on "
                        + "its port after --outage s; a node is SIGSTOPped for --stop s, then SIGCONTed. For each fault: the "
                        + "deliveries lost and doubled (publishes sent from that fault to the next, checked per subscriber), "
                        + "the time until every node's presence views (HTTP API users and a new member's roster) match the "
                        + "members the bench holds, and the ghost members left when it gave up."})
public final class ChaosCommand extends ScenarioCommand {
    static final List<String> FAULTS = List.of("backend", "kill", "stop");
    /** Publishes up to this long after every node is back on the bus still count as accepted during the outage. */
    static final long OUTAGE_MARGIN_NANOS = 1_000_000_000L;

    @Option(names = "--adapter", defaultValue = "redis", paramLabel = "redis|nats",
            description = "The bus, started privately on a free loopback port (default: ${DEFAULT-VALUE}).")
    String adapter;

    @Option(names = "--nodes", defaultValue = "3", description = "Herald nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--connections", defaultValue = "3000", description = "Connections, spread over the nodes (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--channels", defaultValue = "20", description = "Public channels (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--presence-members", defaultValue = "200", description = "Of the connections, presence members (default: ${DEFAULT-VALUE}).")
    int presenceMembers;

    @Option(names = "--presence-channels", defaultValue = "4", description = "Presence channels (default: ${DEFAULT-VALUE}).")
    int presenceChannels;

    @Option(names = "--rate", defaultValue = "20", description = "Publishes per second, round-robin over the nodes and channels (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--churn", defaultValue = "5", description = "Public-channel connections closed and opened again per second (default: ${DEFAULT-VALUE}).")
    double churn;

    @Option(names = "--presence-churn", defaultValue = "2",
            description = "Presence members leaving and joining (as a new member) per second (default: ${DEFAULT-VALUE}).")
    double presenceChurn;

    @Option(names = "--faults", defaultValue = "backend,kill,stop", split = ",", paramLabel = "FAULT[,FAULT...]",
            description = "Faults, in this order: backend (restart the bus), kill (SIGKILL a node, start it again), "
                    + "stop (SIGSTOP a node, then SIGCONT) (default: ${DEFAULT-VALUE}).")
    List<String> faults;

    @Option(names = "--baseline", defaultValue = "10", description = "Seconds of load before the first fault (default: ${DEFAULT-VALUE}).")
    double baseline;

    @Option(names = "--outage", defaultValue = "3", description = "Seconds a killed bus or node stays down (default: ${DEFAULT-VALUE}).")
    double outage;

    @Option(names = "--stop", defaultValue = "5", description = "Seconds a node stays SIGSTOPped (default: ${DEFAULT-VALUE}).")
    double stopSeconds;

    @Option(names = "--recovery", defaultValue = "15",
            description = "Seconds of load after each fault's convergence check, before the next fault (default: ${DEFAULT-VALUE}).")
    double recovery;

    @Option(names = "--converge-timeout", defaultValue = "30",
            description = "Seconds to wait for the presence views to agree after a fault (default: ${DEFAULT-VALUE}).")
    double convergeTimeout;

    @Option(names = "--grace", defaultValue = "2",
            description = "A subscriber that closes within this many seconds of a publish's answer is not held to it (default: ${DEFAULT-VALUE}).")
    double grace;

    private final List<RunningServer> cluster = new ArrayList<>();
    private final List<Integer> stopped = new ArrayList<>();
    /** Every process this run started (nodes, also restarted ones, and the bus), for the result line. */
    private final List<Long> nodePids = new ArrayList<>();
    private final List<Long> busPids = new ArrayList<>();
    private BackingService bus;
    private HeraldLauncher launcher;
    private Map<String, String> nodeEnv;
    private SlotFleet fleet;
    private PresenceViews views;
    private LoggedPublisher publisher;

    @Override
    protected String scenario() {
        return "chaos";
    }

    @Override
    protected void validate() {
        if (target.external() || !target.target.equals("herald")) {
            throw new IllegalArgumentException("chaos starts, kills and stops its own Herald nodes: no --url, --target herald only");
        }
        if (!adapter.equals("redis") && !adapter.equals("nats")) {
            throw new IllegalArgumentException("--adapter must be redis or nats (chaos restarts the bus: one process)");
        }
        for (String f : faults) {
            if (!FAULTS.contains(f)) {
                throw new IllegalArgumentException("--faults: unknown fault '" + f + "' (backend, kill, stop)");
            }
        }
        if (nodes < 2 || connections < nodes || channels < 1 || presenceMembers < 0 || presenceMembers > connections
                || (presenceMembers > 0 && presenceChannels < 1) || rate <= 0 || churn < 0 || presenceChurn < 0 || baseline < 0
                || outage < 0 || stopSeconds < 0 || recovery < 0 || convergeTimeout <= 0 || grace < 0) {
            throw new IllegalArgumentException("chaos needs --nodes >= 2, --connections >= --nodes, --channels >= 1, 0 <= "
                    + "--presence-members <= --connections, --rate > 0, --converge-timeout > 0 and no negative value");
        }
        if (presenceMembers > 0 && (presenceMembers + presenceChannels - 1) / presenceChannels + nodes > 100) {
            throw new IllegalArgumentException("more than 100 presence members per channel (the app's limit, probes included); "
                    + "use more --presence-channels");
        }
        checkServerConnections(connections / nodes + 1);
    }

    private SlotLayout layout() {
        return new SlotLayout(connections, channels, run.channelPrefix + "chaos-", presenceMembers, presenceChannels, "presence-chaos-");
    }

    @Override
    protected ObjectNode params() {
        ObjectNode p = Json.object();
        p.put("adapter", adapter);
        p.put("nodes", nodes);
        p.put("connections", connections);
        p.put("channels", channels);
        p.put("presence_members", presenceMembers);
        p.put("presence_channels", layout().usedPresenceChannels());
        p.put("rate", rate);
        p.put("churn_per_s", churn);
        p.put("presence_churn_per_s", presenceChurn);
        ArrayNode f = p.putArray("faults");
        faults.forEach(f::add);
        p.put("baseline_s", baseline);
        p.put("outage_s", outage);
        p.put("stop_s", stopSeconds);
        p.put("recovery_s", recovery);
        p.put("converge_timeout_s", convergeTimeout);
        p.put("grace_s", grace);
        p.put("payload_bytes", run.payloadBytes);
        return p;
    }

    @Override
    protected ObjectNode measure(RunningServer server) {
        throw new UnsupportedOperationException("chaos runs its own nodes");
    }

    @Override
    public Integer call() throws Exception {
        validate();
        ctx = new BenchContext(out(), run.resultsDir(), !run.noSave, commandLine());
        ObjectNode line = ctx.envelope(scenario(), "herald");
        line.set("params", params());
        int status = 0;
        try {
            line.setAll(runChaos());
        } catch (Exception e) {
            status = 1;
            line.put("error", e.getMessage() == null ? e.toString() : e.getMessage());
            System.err.println("bench: chaos (" + adapter + ") failed: " + e);
            if (e instanceof HeraldLauncher.StartFailure sf && !sf.log().isBlank()) {
                System.err.println("bench: end of the node's log:\n" + sf.log());
            } else if (!(e instanceof IllegalArgumentException)) {
                e.printStackTrace(System.err);
            }
        } finally {
            resumeStopped();
            ArrayNode pids = line.putArray("pids");
            nodePids.forEach(pids::add);
            ArrayNode bp = line.putArray("bus_pids");
            busPids.forEach(bp::add);
            line.set("machine", ctx.machine());
            ctx.emit(line);
            ctx.close();
        }
        return status;
    }

    /** What happened around one fault, in nanoTime, filled in as it goes. */
    private static final class Fault {
        final String kind;
        final int phase;
        final ObjectNode json = Json.object();
        long at;
        long recoveredAt;
        /** Backend outage window (publishes accepted in it are promised only to the accepting node's clients). */
        long outageFrom;
        long outageTo;

        Fault(String kind, int phase) {
            this.kind = kind;
            this.phase = phase;
        }
    }

    private ObjectNode runChaos() throws Exception {
        ObjectNode r = Json.object();
        SlotLayout layout = layout();
        r.put("load_before", loadAverage());
        bus = ctx.track(BackingService.start(adapter));
        busPids.add(bus.pid());
        r.put("bus", bus.description());
        launcher = target.heraldLauncher();
        nodeEnv = bus.env();
        startNodes();
        ObjectNode serverInfo = cluster.get(0).info().deepCopy();
        ArrayNode ports = serverInfo.putArray("ports");
        cluster.forEach(s -> ports.add(s.port()));
        r.set("server", serverInfo);

        WorkerFleet workers = startWorkers(connections);
        fleet = new SlotFleet(workers, layout);
        List<ApiClient> clients = new ArrayList<>();
        PublishLog log = new PublishLog();
        List<Fault> done = new ArrayList<>();
        List<SlotFleet.Dead> dead = new ArrayList<>();
        try {
            int perNode = Math.max(2, run.httpConnections / nodes);
            for (RunningServer node : cluster) {
                clients.add(new ApiClient(node.host(), node.port(), target.appKey, target.appSecret, perNode).open());
            }
            views = new PresenceViews(cluster, target.appId, target.appKey, target.appSecret, layout.presenceChannelNames());
            publisher = new LoggedPublisher(clients, target.appId, new Payloads(run.payloadBytes), layout.channelNames(), log);
            List<URI> urls = cluster.stream().map(s -> s.webSocketUri(target.appKey)).toList();
            progress(String.format(Locale.ROOT, "chaos: opening %,d connections over %d nodes (%,d presence members in %d channels)",
                    connections, nodes, presenceMembers, layout.usedPresenceChannels()));
            SlotFleet.Opened opened = fleet.open(urls, target.appKey, target.appSecret, run.connectConcurrency,
                    run.connectTimeoutSeconds * 1000L, 1000);
            r.put("subscribed", opened.subscribed());
            if (opened.subscribed() == 0) {
                throw new IllegalStateException("no connection could subscribe: " + opened.failureReasons());
            }
            long t0 = System.nanoTime();
            publisher.start(rate);
            fleet.churn(churn, presenceChurn);
            progress(String.format(Locale.ROOT, "chaos: %.0f publishes/s over %d nodes, churn %.1f/s, presence churn %.1f/s; "
                    + "baseline %.0f s", rate, nodes, churn, presenceChurn, baseline));
            Processes.sleep(Math.round(baseline * 1000));

            for (int i = 0; i < faults.size(); i++) {
                Fault f = new Fault(faults.get(i), i + 1);
                publisher.phase(f.phase);
                switch (f.kind) {
                    case "backend" -> restartBus(f);
                    case "kill" -> killNode(f, 1 % nodes, dead);
                    default -> stopNode(f, 2 % nodes, dead);
                }
                f.json.put("at_s", Json.round3((f.at - t0) / 1e9));
                fleet.churn(0, 0);
                f.json.set("presence", Convergence.await(fleet, views, f.recoveredAt, f.at, convergeTimeout));
                fleet.churn(churn, presenceChurn);
                progress("chaos: " + f.kind + ": " + f.json.path("presence"));
                done.add(f);
                Processes.sleep(Math.round(recovery * 1000));
            }

            progress("chaos: stopping the load; final presence check");
            fleet.churn(0, 0);
            boolean answered = publisher.stop(30_000);
            fleet.awaitDeliveriesSettled(3_000, 30_000);
            long end = System.nanoTime();
            r.set("final_presence", Convergence.await(fleet, views, end, end, convergeTimeout));
            r.put("all_answered", answered);

            progress("chaos: checking every delivery");
            PublishLog.Entries entries = log.snapshot();
            boolean[] outage = outageFlags(entries, done);
            fleet.sendLog(entries, outage);
            int phases = faults.size() + 1;
            SlotFleet.Verdict verdict = fleet.verify(phases, Math.round(grace * 1000), System.nanoTime(), dead);

            ObjectNode base = r.putObject("baseline");
            base.setAll(entries.summary(0));
            putDeliveries(base, verdict, 0);
            ArrayNode faultsJson = r.putArray("faults");
            for (Fault f : done) {
                ObjectNode j = f.json;
                j.setAll(entries.summary(f.phase));
                if (f.kind.equals("backend")) {
                    long n = 0;
                    for (int i = 0; i < entries.size(); i++) {
                        n += outage[i] && entries.accepted(i) ? 1 : 0;
                    }
                    j.put("accepted_during_outage", n);
                }
                putDeliveries(j, verdict, f.phase);
                faultsJson.add(j);
            }
            r.setAll(entries.summary(-1));
            long expected = SlotFleet.Verdict.sum(verdict.expected());
            long delivered = SlotFleet.Verdict.sum(verdict.delivered());
            r.put("expected", expected);
            r.put("delivered", delivered);
            r.put("lost", expected - delivered);
            r.put("doubled", SlotFleet.Verdict.sum(verdict.duplicates()));
            r.put("expected_not_promised", SlotFleet.Verdict.sum(verdict.expectedNotPromised()));
            r.put("lost_not_promised", SlotFleet.Verdict.sum(verdict.expectedNotPromised()) - SlotFleet.Verdict.sum(verdict.deliveredNotPromised()));
            r.put("sessions_checked", verdict.sessions());
            if (!verdict.lostExamples().isEmpty()) {
                ArrayNode ex = r.putArray("lost_examples");
                verdict.lostExamples().forEach(ex::add);
            }
            r.set("latency_ms", latencyMs(verdict.latencyMicros()));
            ObjectNode stats = fleet.stats();
            r.put("churn_closes", stats.path("churn_closes").asLong());
            r.put("reconnects", stats.path("reconnects").asLong());
            r.put("dropped_by_server", stats.path("unexpected_closes").asLong());
            if (stats.path("close_reasons").size() > 0) {
                r.set("close_reasons", stats.path("close_reasons"));
            }
            if (stats.path("pusher_errors").asLong() > 0) {
                r.put("pusher_errors", stats.path("pusher_errors").asLong());
                r.put("last_pusher_error", stats.path("last_pusher_error").asText());
            }
            r.put("run_s", Json.round3((end - t0) / 1e9));
            r.put("load_after", loadAverage());
            progress(String.format(Locale.ROOT, "chaos: %,d of %,d deliveries lost, %,d doubled; final ghosts %d",
                    expected - delivered, expected, r.path("doubled").asLong(), r.path("final_presence").path("ghosts").asInt()));
        } finally {
            if (publisher != null) {
                publisher.stop(0);
            }
            if (views != null) {
                views.close();
            }
            clients.forEach(ApiClient::close);
            ctx.release(workers);
        }
        return r;
    }

    /** The nodes start together: on two busy cores one JVM start takes seconds. */
    private void startNodes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            List<Future<RunningServer>> started = new ArrayList<>();
            for (int k = 1; k <= nodes; k++) {
                String name = "chaos-node-" + k;
                started.add(pool.submit(() -> ctx.track(launcher.start(name, nodeEnv))));
            }
            // Wait for every start, so that none is still starting (and not yet tracked) when a failure ends the run.
            Exception failure = null;
            for (Future<RunningServer> f : started) {
                try {
                    cluster.add(f.get());
                    nodePids.add(cluster.get(cluster.size() - 1).pids().get(0));
                } catch (java.util.concurrent.ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof Exception ex ? ex : e;
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdown();
        }
    }

    private void restartBus(Fault f) throws Exception {
        long pid = bus.pid();
        f.at = System.nanoTime();
        bus.kill();
        Processes.sleep(Math.round(outage * 1000));
        long restart = System.nanoTime();
        bus.startAgain();
        long back = System.nanoTime();
        busPids.add(bus.pid());
        // Every node reports the bus on /up: 200 again once it has reconnected.
        long ready = awaitNodesReady(60);
        f.recoveredAt = ready > 0 ? ready : back;
        f.outageFrom = f.at;
        f.outageTo = f.recoveredAt + OUTAGE_MARGIN_NANOS;
        f.json.put("fault", "backend");
        f.json.put("what", bus.description() + " (pid " + pid + ") SIGKILLed, started again on its port after " + num(outage) + " s");
        f.json.put("down_s", Json.round3((restart - f.at) / 1e9));
        f.json.put("bus_start_s", Json.round3((back - restart) / 1e9));
        if (ready > 0) {
            f.json.put("nodes_ready_after_s", Json.round3((ready - back) / 1e9));
        } else {
            f.json.putNull("nodes_ready_after_s");
        }
        progress("chaos: bus back; " + (ready > 0 ? "every node ready after " + f.json.path("nodes_ready_after_s") + " s" : "not every node ready after 60 s"));
    }

    private void killNode(Fault f, int k, List<SlotFleet.Dead> dead) throws Exception {
        RunningServer node = cluster.get(k);
        long pid = node.pids().get(0);
        f.at = System.nanoTime();
        Processes.kill(ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("node " + (k + 1) + " (pid " + pid + ") is gone")));
        progress("chaos: node " + (k + 1) + " (pid " + pid + ") SIGKILLed");
        ctx.release(node);
        Processes.sleep(Math.round(outage * 1000));
        long restart = System.nanoTime();
        RunningServer again = ctx.track(launcher.start("chaos-node-" + (k + 1), nodeEnv, node.port()));
        nodePids.add(again.pids().get(0));
        cluster.set(k, again);
        views.setNode(k, again);
        f.recoveredAt = System.nanoTime();
        dead.add(new SlotFleet.Dead(k, f.at, f.recoveredAt));
        f.json.put("fault", "kill");
        f.json.put("what", "node " + (k + 1) + " (pid " + pid + ") SIGKILLed, started again on port " + node.port() + " with the same "
                + "INSTANCE_PROCESS_ID after " + num(outage) + " s (new pid " + again.pids().get(0) + ")");
        f.json.put("node", k + 1);
        f.json.put("down_s", Json.round3((restart - f.at) / 1e9));
        f.json.put("node_start_s", Json.round3((f.recoveredAt - restart) / 1e9));
    }

    private void stopNode(Fault f, int k, List<SlotFleet.Dead> dead) throws Exception {
        long pid = cluster.get(k).pids().get(0);
        f.at = System.nanoTime();
        Processes.signal(pid, "STOP");
        synchronized (stopped) {
            stopped.add(k);
        }
        progress("chaos: node " + (k + 1) + " (pid " + pid + ") SIGSTOPped for " + num(stopSeconds) + " s");
        try {
            Processes.sleep(Math.round(stopSeconds * 1000));
        } finally {
            Processes.signal(pid, "CONT");
            synchronized (stopped) {
                stopped.remove(Integer.valueOf(k));
            }
        }
        f.recoveredAt = System.nanoTime();
        dead.add(new SlotFleet.Dead(k, f.at, f.recoveredAt));
        f.json.put("fault", "stop");
        f.json.put("what", "node " + (k + 1) + " (pid " + pid + ") SIGSTOPped for " + num(stopSeconds) + " s, then SIGCONTed");
        f.json.put("node", k + 1);
        f.json.put("down_s", Json.round3((f.recoveredAt - f.at) / 1e9));
    }

    /** A node left stopped by an interrupted run would hold its SIGTERM forever. */
    private void resumeStopped() {
        synchronized (stopped) {
            for (int k : stopped) {
                try {
                    Processes.signal(cluster.get(k).pids().get(0), "CONT");
                } catch (IOException | RuntimeException e) {
                    // gone
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stopped.clear();
        }
    }

    /** Polls every node's /up until all answer 200; the nanoTime then, or 0 after {@code seconds}. */
    private long awaitNodesReady(double seconds) {
        long deadline = System.nanoTime() + Math.round(seconds * 1e9);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (RunningServer node : cluster) {
                if (Processes.httpStatus("http://" + node.host() + ":" + node.port() + "/up") != 200) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return System.nanoTime();
            }
            Processes.sleep(100);
        }
        return 0;
    }

    /** Publishes accepted while the bus was down: answered after it was killed, sent before every node was back (plus a margin). */
    static boolean[] outageFlags(PublishLog.Entries entries, List<Fault> faults) {
        boolean[] flags = new boolean[entries.size()];
        for (Fault f : faults) {
            if (!f.kind.equals("backend")) {
                continue;
            }
            for (int i = 0; i < entries.size(); i++) {
                if (entries.ackNanos(i) >= f.outageFrom && entries.sentNanos(i) <= f.outageTo) {
                    flags[i] = true;
                }
            }
        }
        return flags;
    }

    private static void putDeliveries(ObjectNode j, SlotFleet.Verdict v, int phase) {
        j.put("expected", v.expected()[phase]);
        j.put("delivered", v.delivered()[phase]);
        j.put("lost", v.lost(phase));
        j.put("doubled", v.duplicates()[phase]);
        if (v.expectedNotPromised()[phase] > 0) {
            j.put("expected_not_promised", v.expectedNotPromised()[phase]);
            j.put("lost_not_promised", v.lostNotPromised(phase));
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", java.util.Arrays.asList(f).subList(0, Math.min(3, f.length)));
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
