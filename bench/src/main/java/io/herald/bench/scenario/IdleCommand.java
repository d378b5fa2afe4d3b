package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.coord.WorkerFleet;
import io.herald.bench.proc.ProcStats;
import io.herald.bench.target.Processes;
import io.herald.bench.target.RunningServer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "idle", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Idle: N connections, each subscribed to one public channel; connect rate and memory.",
                "%nReports the connect rate and the server's RSS before (after a warm-up of connections that came and "
                        + "went) and after, and kb_per_connection = (RSS after - RSS before) / N, read from /proc after a "
                        + "settle time."})
public final class IdleCommand extends ScenarioCommand {
    @Option(names = "--connections", defaultValue = "2000", description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--channels", defaultValue = "0",
            description = "Channels; connection g joins channel g %% C (default: 0 = one channel per connection).")
    int channels;

    @Option(names = "--settle", defaultValue = "5", description = "Seconds to wait before reading RSS (default: ${DEFAULT-VALUE}).")
    double settle;

    @Option(names = "--warmup-connections", defaultValue = "500",
            description = "Connections opened, subscribed and closed before the 'before' reading, so start-up costs "
                    + "(class loading, JIT, first buffers) are not charged to the measured ones (default: ${DEFAULT-VALUE}).")
    int warmupConnections;

    @Option(names = "--limit",
            description = "Also measure the loopback limit, last in the same run: the bench's minimal Netty server "
                    + "(LoopbackLimitServer: upgrade, connection_established, subscribe) under the same connects, with "
                    + "Herald's JDK and JVM options (reported as limit).")
    boolean limit;

    @Override
    protected String scenario() {
        return "idle";
    }

    @Override
    protected List<String> targetNames() {
        List<String> names = new ArrayList<>(super.targetNames());
        if (limit) {
            names.add("limit");
        }
        return names;
    }

    @Override
    protected void validate() {
        checkServerConnections(connections);
        if (connections < 1 || channels < 0 || settle < 0 || warmupConnections < 0) {
            throw new IllegalArgumentException("idle needs --connections >= 1, --channels >= 0, --settle >= 0");
        }
    }

    private int channelCount() {
        return channels == 0 ? connections : channels;
    }

    @Override
    protected ObjectNode params() {
        ObjectNode p = Json.object();
        p.put("connections", connections);
        p.put("channels", channelCount());
        p.put("settle_s", settle);
        p.put("warmup_connections", warmupConnections);
        return p;
    }

    @Override
    protected ObjectNode measure(RunningServer server) throws Exception {
        List<Long> serverPids = server.pids();
        WorkerFleet fleet = startWorkers(connections);
        ObjectNode r = Json.object();
        try {
            var urls = List.of(server.webSocketUri(target.appKey));
            long timeout = run.connectTimeoutSeconds * 1000L;
            if (warmupConnections > 0) {
                progress("warm-up: " + warmupConnections + " connections in and out");
                fleet.connect(urls, Math.min(warmupConnections, connections), channelCount(), run.channelPrefix + "warmup-",
                        run.connectConcurrency, timeout);
                fleet.closeConnections();
            }
            Processes.sleep(Math.round(settle * 1000));
            ProcStats.Sample before = ProcStats.sample(serverPids);
            ProcStats.Sample benchBefore = ProcStats.sample(benchPids(fleet));
            progress("connecting " + connections + " connections (" + channelCount() + " channels)");
            WorkerFleet.Connected connected = fleet.connect(urls, connections, channelCount(), run.channelPrefix,
                    run.connectConcurrency, timeout);
            ProcStats.Sample connectedSample = ProcStats.sample(serverPids);
            ProcStats.Sample benchConnected = ProcStats.sample(benchPids(fleet));
            int subscribed = connected.subscribed();
            r.put("workers", fleet.size());
            r.put("subscribed", subscribed);
            r.put("failed", connections - subscribed);
            if (subscribed < connections) {
                r.set("connect_failures", connected.failureReasons());
            }
            double seconds = connected.elapsedMillis() / 1000.0;
            r.put("connect_s", Json.round3(seconds));
            r.put("connect_rate", Json.round3(subscribed / seconds));
            progress(String.format("%d subscribed in %.2f s; settling %.1f s", subscribed, seconds, settle));
            Processes.sleep(Math.round(settle * 1000));
            ProcStats.Sample after = ProcStats.sample(serverPids);
            long stillOpen = fleet.sumStats("open");
            r.put("open_after_settle", stillOpen);
            if (!serverPids.isEmpty()) {
                r.put("server_rss_before_kb", before.rssKb());
                r.put("server_rss_after_kb", after.rssKb());
                r.put("server_hwm_kb", after.hwmKb());
                r.put("kb_per_connection", subscribed > 0 ? Json.round3((after.rssKb() - before.rssKb()) / (double) subscribed) : null);
                r.put("server_cpu_s_connect", Json.round3(connectedSample.cpuSince(before)));
                r.put("server_cpu_s_idle", Json.round3(after.cpuSince(connectedSample)));
                putOtherCpu(r, connectedSample.machineBusySince(before), connectedSample.cpuSince(before),
                        benchConnected.cpuSince(benchBefore), (connectedSample.nanoTime() - before.nanoTime()) / 1e9);
                r.put("bench_cpu_s_connect", Json.round3(benchConnected.cpuSince(benchBefore)));
            }
        } finally {
            ctx.release(fleet);
        }
        return r;
    }
}
